/**
 * End to end with a real proxyless data plane: aspen's ADS server on loopback, a grpc-js-xds XdsServer as the
 * protected workload (shop/orders) and grpc-js-xds clients with different identities (certificates issued by aspen's
 * CA, read through the file_watcher certificate provider). Every assertion is a real gRPC call's status.
 */
import { expect } from 'chai';
import * as grpc from '@grpc/grpc-js';
import type { ProxyStages } from '../../src/serve/build.js';
import { defaultStages } from '../../src/serve/build.js';
import { Listener } from '../../src/gen/envoy/config/listener/v3/listener.js';
import { Filter } from '../../src/gen/envoy/config/listener/v3/listener_components.js';
import { typedConfig } from '../../src/xds/translate/common.js';
import { auditFilters } from '../../src/xds/translate/filters/rbac.js';
import { HttpConnectionManager } from '../../src/gen/envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.js';
import { unpackAnyAs } from '../../src/xds/proto/any.js';
import type { PortIR } from '../../src/ir/index.js';
import { TypeUrl } from '../../src/xds/translate/resources.js';
import { AspenUnderTest, XdsCaller, callOnce, freePort, startWorkload, waitFor } from './harness.js';
import type { CallResult, Peer } from './harness.js';
import { policy, workloads } from './manifests.js';

const OK = grpc.status.OK;
const DENIED = grpc.status.PERMISSION_DENIED;
const SERVER = 'shop/orders';

describe('proxyless gRPC end to end (grpc-js-xds data plane)', function () {
  this.timeout(60_000);
  let aspen: AspenUnderTest;
  let port: number;
  let server: grpc.Server | undefined;
  const callers: XdsCaller[] = [];
  let peers: Record<'orders' | 'frontend' | 'reporter' | 'intruder', Peer>;

  /** Applies `policies`, waits until the server workload ACKed the resulting listeners. */
  async function applyPolicies(policies: string, stages?: ProxyStages): Promise<void> {
    await aspen.apply(`${workloads(port)}${policies}`, stages);
    const version = aspen.version(SERVER, TypeUrl.Listener);
    if (server !== undefined)
      await waitFor('the server to ACK', () =>
        aspen.acked(SERVER, TypeUrl.Listener, version) ? true : undefined,
      );
  }

  async function caller(peer: Peer): Promise<XdsCaller> {
    const c = await XdsCaller.create(peer, `xds:///orders.shop.svc.cluster.local:${port}`);
    callers.push(c);
    return c;
  }

  /** The next calls give `expected` (waiting, bounded, for the client to have the server's new connection config). */
  async function expectCall(c: XdsCaller, method: string, expected: grpc.status): Promise<CallResult> {
    let last: CallResult = { code: grpc.status.UNKNOWN, details: '' };
    await waitFor(
      () => `${method} to end with code ${expected} (last: ${last.code} ${last.details})`,
      async () => {
        last = await c.call(method);
        return last.code === expected ? true : undefined;
      },
    );
    return last;
  }

  before(async () => {
    aspen = await AspenUnderTest.start();
    port = await freePort();
    peers = {
      orders: await aspen.peer('shop/orders', 'orders'),
      frontend: await aspen.peer('shop/frontend', 'frontend'),
      reporter: await aspen.peer('shop/reporter', 'reporter'),
      intruder: await aspen.peer('other/intruder', 'intruder'),
    };
    await aspen.apply(workloads(port));
    server = await startWorkload(peers.orders, port);
  });

  after(async () => {
    for (const c of callers) c.close();
    server?.forceShutdown();
    await aspen.stop();
  });

  it('default deny: a workload with a policy and no matching rule refuses every call', async () => {
    await applyPolicies(policy('locked', '  authorization: { defaultAction: Deny }\n'));
    const frontend = await caller(peers.frontend);
    for (const method of ['/shop.Orders/Get', '/shop.Orders/List']) {
      expect((await expectCall(frontend, method, DENIED)).code).to.equal(DENIED);
    }
  });

  it('an Allow rule for one principal admits it and refuses another; a Deny rule wins over an Allow', async () => {
    await applyPolicies(
      policy(
        'frontend-only',
        `  authorization:
    defaultAction: Deny
    rules:
      - name: frontend
        action: Allow
        from: { principals: [spiffe://cluster.local/ns/shop/sa/frontend] }
      - name: no-delete
        action: Deny
        to: { paths: [/shop.Orders/Delete] }
`,
      ),
    );
    const frontend = await caller(peers.frontend);
    const reporter = await caller(peers.reporter);
    await expectCall(frontend, '/shop.Orders/Get', OK);
    expect((await reporter.call('/shop.Orders/Get')).code).to.equal(DENIED);
    expect((await frontend.call('/shop.Orders/Delete')).code).to.equal(DENIED);
  });

  it('namespace rules and method/path rules on gRPC method paths', async () => {
    await applyPolicies(
      policy(
        'shop-reads',
        `  authorization:
    defaultAction: Deny
    rules:
      - name: shop-reads
        action: Allow
        from: { namespaces: [shop] }
        to: { methods: [POST], paths: [/shop.Orders/Get, /shop.Orders/List] }
`,
      ),
    );
    const reporter = await caller(peers.reporter);
    const intruder = await caller(peers.intruder);
    await expectCall(reporter, '/shop.Orders/List', OK);
    expect((await reporter.call('/shop.Orders/Get')).code).to.equal(OK);
    expect((await reporter.call('/shop.Orders/Delete')).code).to.equal(DENIED);
    expect((await intruder.call('/shop.Orders/Get')).code).to.equal(DENIED);
  });

  it('STRICT mTLS: a client without a certificate cannot connect', async () => {
    await applyPolicies(
      policy('open', '  mtls: { mode: STRICT }\n  authorization: { defaultAction: Allow }\n'),
    );
    const frontend = await caller(peers.frontend);
    await expectCall(frontend, '/shop.Orders/Get', OK);
    const plaintext = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    const noCert = new grpc.Client(
      `localhost:${port}`,
      grpc.credentials.createSsl(Buffer.from(peers.frontend.files.trustBundlePem), null, null, {
        checkServerIdentity: () => undefined,
      }),
    );
    try {
      expect((await callOnce(plaintext, '/shop.Orders/Get', 2000)).code).to.equal(grpc.status.UNAVAILABLE);
      expect((await callOnce(noCert, '/shop.Orders/Get', 2000)).code).to.equal(grpc.status.UNAVAILABLE);
    } finally {
      plaintext.close();
      noCert.close();
    }
  });

  it('a policy change takes effect on the next call without restarting anything', async () => {
    const frontend = await caller(peers.frontend);
    await applyPolicies(policy('open', '  authorization: { defaultAction: Allow }\n'));
    await expectCall(frontend, '/shop.Orders/Get', OK);
    await applyPolicies(
      policy(
        'open',
        '  authorization:\n    defaultAction: Allow\n    rules:\n      - { name: no-get, action: Deny, to: { paths: [/shop.Orders/Get] } }\n',
      ),
    );
    expect((await expectCall(frontend, '/shop.Orders/Get', DENIED)).details).to.match(
      /RBAC|denied|Unauthorized/i,
    );
    expect((await frontend.call('/shop.Orders/List')).code).to.equal(OK);
  });

  it('what gRPC cannot enforce fails closed and is reported as UnsupportedByDataPlane', async () => {
    await applyPolicies(
      policy(
        'limited',
        '  authorization: { defaultAction: Allow }\n  rateLimits:\n    - { name: all, requests: 10, per: 1s }\n',
      ),
    );
    const status = aspen.statuses.find((s) => s.name === 'limited');
    const programmed = status?.conditions.find((c) => c.type === 'Programmed');
    expect(programmed).to.include({ status: 'False', reason: 'UnsupportedByDataPlane' });
    expect(programmed?.message).to.include('shop/orders cannot enforce rate limits');
    const frontend = await caller(peers.frontend);
    await expectCall(frontend, '/shop.Orders/Get', DENIED);
  });

  it('a config the client NACKs leaves the last good config enforced, and shows up as a rejection', async () => {
    const frontend = await caller(peers.frontend);
    const intruder = await caller(peers.intruder);
    const good = policy(
      'frontend-only',
      `  authorization:
    defaultAction: Deny
    rules: [{ name: frontend, action: Allow, from: { principals: [spiffe://cluster.local/ns/shop/sa/frontend] } }]
`,
    );
    await applyPolicies(good);
    await expectCall(frontend, '/shop.Orders/Get', OK);
    const before = aspen.rejections.length;
    // The same policy, but the server listeners carry Envoy's Audit-mode RBAC (shadow rules only), which gRPC rejects.
    await aspen.apply(`${workloads(port)}${good}`, withEnvoyAuditFilter);
    const bad = aspen.version(SERVER, TypeUrl.Listener);
    const rejection = await waitFor('a NACK', () =>
      aspen.rejections.slice(before).find((r) => r.proxyKey === SERVER && r.version === bad),
    );
    expect(rejection.typeUrl).to.equal(TypeUrl.Listener);
    expect(rejection.message).to.match(/rbac|filter validation failed/i);
    expect(aspen.ads.standingRejections().some((r) => r.proxyKey === SERVER && r.version === bad)).to.equal(
      true,
    );
    expect((await frontend.call('/shop.Orders/Get')).code).to.equal(OK);
    expect((await intruder.call('/shop.Orders/Get')).code).to.equal(DENIED);
  });
});

/** Stages that add Envoy's Audit filters (shadow-only RBAC) in front of every server listener's filters. */
const withEnvoyAuditFilter: ProxyStages = {
  ...defaultStages,
  translateProxy: (proxy, config) => {
    const resources = defaultStages.translateProxy(proxy, config);
    const port = proxy.ports[0];
    if (port === undefined) return resources;
    const audit: PortIR = { ...port, audit: port.enforce };
    const listeners = resources.listeners.map((listener) => {
      const chain = listener.filterChains[0];
      const hcmAny = chain?.filters[0]?.configType;
      if (chain === undefined || hcmAny?.$case !== 'typedConfig') return listener;
      const hcm = unpackAnyAs(hcmAny.value, HttpConnectionManager);
      const patched = { ...hcm, httpFilters: [...auditFilters(audit), ...hcm.httpFilters] };
      const filter = Filter.fromPartial({
        name: chain.filters[0]?.name ?? '',
        configType: typedConfig(patched),
      });
      return Listener.fromPartial({ ...listener, filterChains: [{ ...chain, filters: [filter] }] });
    });
    return { ...resources, listeners };
  },
};
