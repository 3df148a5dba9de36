// `aspen status`: against a running `aspen serve` (its loopback admin endpoint), against a cluster (a stub API server
// answering the ApiSecurityPolicy list, read through @kubernetes/client-node), and the exit status. Also checks that
// serve's dataplane answers API-key checks for the served directory, and that the admin endpoint refuses
// non-loopback addresses.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Metadata } from '@grpc/grpc-js';
import { expect } from 'chai';
import { Registry } from 'prom-client';
import { API_KEY_CHECK_METADATA, API_KEY_CLIENT_HEADER } from '../../src/api/contracts.js';
import { lineFromPolicy } from '../../src/cli/status.js';
import { statusReport } from '../../src/serve/admin.js';
import { startServe } from '../../src/serve/app.js';
import type { ServeApp } from '../../src/serve/app.js';
import { CheckRequest } from '../../src/gen/envoy/service/auth/v3/external_auth.js';
import type { CheckResponse } from '../../src/gen/envoy/service/auth/v3/external_auth.js';
import { defaultXdsConfig } from '../../src/xds/translate/config.js';
import { silentLogger } from '../../src/xds/server/types.js';
import { clients, workloadCredentials } from '../dataplane/fixtures.js';
import type { ChangeWatcher } from '../../src/serve/watcher.js';
import { runCli } from './run.js';

const LOOPBACK = { host: '127.0.0.1', port: 0 };

/** A watcher that never reports a change (the served directory is fixed). */
const noChanges: ChangeWatcher = { start: () => undefined, close: () => undefined };

function clusterPolicy(name: string, programmed: 'True' | 'False', rejected = 0): Record<string, unknown> {
  return {
    apiVersion: 'aspen.dev/v1alpha1',
    kind: 'ApiSecurityPolicy',
    metadata: { namespace: 'shop', name, generation: 3 },
    spec: { selector: {}, mode: name === 'audit' ? 'Audit' : 'Enforce' },
    status: {
      observedGeneration: 3,
      workloads: 2,
      proxies: { connected: 4, acked: 4 - rejected, rejected },
      conditions: [
        {
          type: 'Programmed',
          status: programmed,
          reason: 'X',
          message: rejected > 0 ? 'listener rejected: bad regex' : '',
          lastTransitionTime: '2026-11-28T00:00:00Z',
        },
        {
          type: 'Accepted',
          status: 'True',
          reason: 'Accepted',
          message: '',
          lastTransitionTime: '2026-11-28T00:00:00Z',
        },
      ],
    },
  };
}

describe('aspen status', () => {
  describe('against a cluster', () => {
    let dir: string;
    let server: ReturnType<typeof createServer>;
    let items: unknown[] = [];

    before(async () => {
      server = createServer((req, res) => {
        if ((req.url ?? '').startsWith('/apis/aspen.dev/v1alpha1/apisecuritypolicies')) {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ apiVersion: 'aspen.dev/v1alpha1', kind: 'ApiSecurityPolicyList', items }));
        } else {
          res.writeHead(404).end();
        }
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      dir = await mkdtemp(join(tmpdir(), 'aspen-status-'));
      const { port } = server.address() as AddressInfo;
      await writeFile(
        join(dir, 'kubeconfig'),
        [
          'apiVersion: v1',
          'kind: Config',
          `clusters: [{ name: c, cluster: { server: "http://127.0.0.1:${port}", insecure-skip-tls-verify: true } }]`,
          'users: [{ name: u, user: {} }]',
          'contexts: [{ name: x, context: { cluster: c, user: u } }]',
          'current-context: x',
        ].join('\n'),
      );
    });

    after(async () => {
      server.close();
      await rm(dir, { recursive: true, force: true });
    });

    it('prints one line per policy and exits 0 when every policy is programmed', async () => {
      items = [clusterPolicy('b', 'True'), clusterPolicy('audit', 'True')];
      const run = await runCli(['status', '--kubeconfig', join(dir, 'kubeconfig')]);
      expect(run.code, run.stderr).to.equal(0);
      const lines = run.stdout.trim().split('\n');
      expect(lines).to.have.length(3);
      expect(lines[1]).to.equal('shop/audit\tAudit\tyes\t2\t4/4/0\tAccepted=True,Programmed=True');
    });

    it('exits 1 and shows the last NACK when a policy is not programmed; -o json', async () => {
      items = [clusterPolicy('a', 'False', 1), clusterPolicy('b', 'True')];
      const run = await runCli(['status', '--kubeconfig', join(dir, 'kubeconfig'), '-o', 'json']);
      expect(run.code).to.equal(1);
      const out = JSON.parse(run.stdout) as {
        policies: { name: string; programmed: boolean; lastNack?: string }[];
      };
      expect(out.policies.map((p) => [p.name, p.programmed, p.lastNack])).to.deep.equal([
        ['a', false, 'listener rejected: bad regex'],
        ['b', true, undefined],
      ]);
    });

    it('a status of an older generation is not programmed', () => {
      const policy = clusterPolicy('a', 'True');
      (policy['metadata'] as { generation: number }).generation = 4;
      expect(lineFromPolicy(policy).programmed).to.equal(false);
    });

    it('exits 1 with a clear message when the cluster cannot be reached', async () => {
      const run = await runCli(['status', '--kubeconfig', join(dir, 'missing')]);
      expect(run.code).to.equal(1);
      expect(run.stderr).to.match(/^aspen status: /);
    });
  });

  describe('against aspen serve', function () {
    this.timeout(30000);
    let app: ServeApp;

    before(async () => {
      app = await startServe(
        {
          dir: 'examples/',
          defaultNamespace: 'default',
          trustDomain: 'cluster.local',
          xds: defaultXdsConfig(),
          xdsListen: LOOPBACK,
          xdsInsecure: true,
          healthListen: LOOPBACK,
          metricsListen: LOOPBACK,
          dataplaneListen: LOOPBACK,
          adminListen: LOOPBACK,
          shutdownGraceMs: 200,
        },
        { logger: silentLogger, registry: new Registry(), watcher: noChanges },
      );
      await app.serving;
    });

    after(async () => {
      await app.close();
    });

    it('reads every policy from the loopback admin endpoint', async () => {
      const run = await runCli(['status', '--serve', `127.0.0.1:${String(app.adminPort)}`, '-o', 'json']);
      const out = JSON.parse(run.stdout) as {
        policies: { namespace: string; name: string; mode: string; proxies: unknown; programmed: boolean }[];
      };
      expect(out.policies.map((p) => `${p.namespace}/${p.name}`)).to.include('shop/orders-api');
      expect(out.policies[0]?.proxies).to.deep.equal({ connected: 0, acked: 0, rejected: 0 });
      // Every example policy selects a workload and no proxy is connected: enforced nowhere yet, as the controller's
      // Programmed=False/NoProxies says, so nothing is programmed and the command exits 1.
      expect(out.policies.map((p) => p.programmed)).to.deep.equal(out.policies.map(() => false));
      expect(run.code).to.equal(1);
      const text = await runCli(['status', '--serve', `127.0.0.1:${String(app.adminPort)}`]);
      expect(text.stdout.split('\n')[0]).to.match(/^POLICY\tMODE\tPROGRAMMED/);
    });

    it("serve's dataplane checks the directory's API keys over mTLS", async () => {
      const credentials = await workloadCredentials(app.ca, { namespace: 'shop', serviceAccount: 'orders' });
      const c = clients(app.dataplanePort ?? 0, credentials);
      try {
        const md = new Metadata();
        md.set(API_KEY_CHECK_METADATA.clients, 'shop/orders-api/partner-a');
        md.set(API_KEY_CHECK_METADATA.source, 'header:x-api-key');
        const request = CheckRequest.fromPartial({
          attributes: { request: { http: { headers: { 'x-api-key': 'example-partner-a-key-do-not-use' } } } },
        });
        const response = await new Promise<CheckResponse>((resolve, reject) =>
          c.auth.check(request, md, (error, r) => (error === null ? resolve(r) : reject(error))),
        );
        const ok = response.httpResponse?.$case === 'okResponse' ? response.httpResponse.value : undefined;
        expect(ok?.headers.map((h) => [h.header?.key, h.header?.value])).to.deep.equal([
          [API_KEY_CLIENT_HEADER, 'partner-a'],
        ]);
      } finally {
        c.close();
      }
    });

    it('refuses an admin endpoint on a non-loopback address (usage error)', async () => {
      const run = await runCli(['serve', '--dir', 'examples/', '--admin-listen', '0.0.0.0:15030']);
      expect(run.code).to.equal(2);
      expect(run.stderr).to.include('loopback');
    });
  });

  describe('the serve report', () => {
    it('counts connected, acked and rejected proxies of the workloads a policy covers, with the last NACK', () => {
      const type = (acked: string | undefined, rejected?: string) => ({
        typeUrl: 't',
        subscription: { wildcard: true, names: new Set<string>() } as never,
        sentVersion: 'v2',
        nonce: 'n',
        ackedVersion: acked,
        rejectedVersion: rejected,
      });
      const stream = (proxyKey: string, types: ReturnType<typeof type>[]) => ({
        stream: { streamId: 1, proxyKey, nodeId: proxyKey, peer: 'p', userAgent: 'envoy/1.40.0' },
        types,
      });
      const report = statusReport({
        policies: [],
        statuses: [
          {
            namespace: 'shop',
            name: 'p',
            observedGeneration: 1,
            workloads: 2,
            problems: [],
            conditions: [
              { type: 'Accepted', status: 'True', reason: 'Accepted', message: '' },
              { type: 'ResolvedRefs', status: 'True', reason: 'ResolvedRefs', message: '' },
            ],
          },
        ],
        proxies: [
          { key: 'shop/a', policies: ['shop/p'] },
          { key: 'shop/b', policies: ['shop/p'] },
          { key: 'shop/c', policies: [] },
        ] as never,
        streams: [
          stream('shop/a', [type('v2')]),
          stream('shop/b', [type('v1', 'v2')]),
          stream('shop/b', [type(undefined)]),
          stream('shop/c', [type('v2')]),
        ],
        rejections: [
          { proxyKey: 'shop/b', typeUrl: 't', version: 'v2', message: 'older', code: 3, at: new Date(1) },
          { proxyKey: 'shop/b', typeUrl: 't', version: 'v2', message: 'newest', code: 3, at: new Date(2) },
          {
            proxyKey: 'shop/c',
            typeUrl: 't',
            version: 'v2',
            message: 'other policy',
            code: 3,
            at: new Date(3),
          },
        ],
      });
      expect(report.policies[0]).to.deep.include({
        mode: 'Enforce',
        proxies: { connected: 3, acked: 1, rejected: 1 },
        lastNack: 'newest',
        programmed: false,
      });
    });
  });
});
