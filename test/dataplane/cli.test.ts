// `aspen dataplane` end to end: flags checked (exit 2), then a real run with --tls-dir (files from the pure issuing
// function) against a stub API server: a workload's API-key check answered over mTLS, and a clean exit on shutdown.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Metadata } from '@grpc/grpc-js';
import { expect } from 'chai';
import { API_KEY_CHECK_METADATA, API_KEY_CLIENT_HEADER } from '../../src/api/contracts.js';
import { runDataplane } from '../../src/cli/dataplane.js';
import type { DataplaneCliOptions } from '../../src/cli/dataplane.js';
import { issueDataplaneTls } from '../../src/dataplane/tls.js';
import { CheckRequest } from '../../src/gen/envoy/service/auth/v3/external_auth.js';
import type { CheckResponse } from '../../src/gen/envoy/service/auth/v3/external_auth.js';
import { runCli } from '../cli/run.js';
import { clients, realCa, workloadCredentials } from './fixtures.js';
import { freePort } from './redis.js';
import { StubApi } from './stub-api.js';

describe('aspen dataplane (command)', function () {
  this.timeout(30000);

  it('refuses bad flags with exit 2 and a message naming the flag', async () => {
    const noAddress = await runCli(['dataplane', '--rate-limit-backend', 'redis']);
    expect(noAddress.code).to.equal(2);
    expect(noAddress.stderr).to.include('--redis-address');
    const format = await runCli(['dataplane', '--log-format', 'xml', '--listen', 'nope']);
    expect(format.code).to.equal(2);
    expect(format.stderr).to.include('--log-format').and.include('--listen');
  });

  it('exits 1 and closes its ports when the cluster cannot be read', async () => {
    const ca = await realCa();
    const tls = await issueDataplaneTls(ca, { namespace: 'aspen-system' }, { now: () => new Date() });
    if (!tls.ok) throw new Error(tls.error.message);
    const dir = await mkdtemp(join(tmpdir(), 'aspen-dataplane-'));
    try {
      for (const name of ['tls.crt', 'tls.key', 'ca.crt'] as const)
        await writeFile(join(dir, name), tls.value[name]);
      const health = await freePort();
      const args = [
        'dataplane',
        '--tls-dir',
        dir,
        '--listen',
        '127.0.0.1:0',
        '--metrics-listen',
        '127.0.0.1:0',
      ];
      const run = await runCli([
        ...args,
        '--health-listen',
        `127.0.0.1:${health}`,
        '--kubeconfig',
        join(dir, 'none'),
      ]);
      expect(run.code).to.equal(1);
      expect(run.stderr).to.include('could not start');
      const reached = await fetch(`http://127.0.0.1:${health}/healthz`).then(
        () => true,
        () => false,
      );
      expect(reached).to.equal(false);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('documents every flag of the chart contract in --help', async () => {
    const help = await runCli(['dataplane', '--help']);
    for (const flag of [
      '--listen',
      '--metrics-listen',
      '--health-listen',
      '--tls-dir',
      '--rate-limit-backend',
      '--redis-address',
      '--redis-password-file',
      '--redis-tls',
      '--log-level',
      '--log-format',
    ]) {
      expect(help.stdout).to.include(flag);
    }
  });

  it('serves API-key checks over mTLS with certificates from --tls-dir, fed from the cluster', async () => {
    const ca = await realCa();
    const tls = await issueDataplaneTls(ca, { namespace: 'aspen-system' }, { now: () => new Date() });
    if (!tls.ok) throw new Error(tls.error.message);
    const dir = await mkdtemp(join(tmpdir(), 'aspen-dataplane-'));
    const api = new StubApi();
    api.secrets.set('shop/keys', { a: 'cluster-key-1' });
    const kubeconfig = await api.start();
    await writeFile(join(dir, 'kubeconfig'), kubeconfig.exportConfig());
    for (const name of ['tls.crt', 'tls.key', 'ca.crt'] as const)
      await writeFile(join(dir, name), tls.value[name]);
    const [grpc, health, metrics] = [await freePort(), await freePort(), await freePort()];
    let stop: (signal: string) => void = () => undefined;
    const shutdown = new Promise<string>((resolve) => (stop = resolve));
    const stderr: string[] = [];
    const options: DataplaneCliOptions = {
      listen: `127.0.0.1:${grpc}`,
      metricsListen: `127.0.0.1:${metrics}`,
      healthListen: `127.0.0.1:${health}`,
      tlsDir: dir,
      rateLimitBackend: 'memory',
      redisTimeoutMs: '50',
      kubeconfig: join(dir, 'kubeconfig'),
      trustDomain: 'cluster.local',
      secretResyncMs: '30000',
      logLevel: 'info',
      logFormat: 'json',
    };
    const io = {
      stdout: () => undefined,
      stderr: (t: string) => void stderr.push(t),
      stdoutIsTTY: false,
      readStdin: () => Promise.resolve(''),
    };
    const exit = runDataplane(options, io, { shutdown, stderrIsTTY: false });
    try {
      const ready = async (): Promise<number> =>
        (await fetch(`http://127.0.0.1:${health}/readyz`).catch(() => ({ status: 0 }))).status;
      for (let i = 0; i < 200 && (await ready()) !== 200; i++) await new Promise((r) => setTimeout(r, 50));
      const c = clients(grpc, await workloadCredentials(ca, { namespace: 'shop', serviceAccount: 'orders' }));
      const md = new Metadata();
      md.set(API_KEY_CHECK_METADATA.clients, 'shop/p/a');
      md.set(API_KEY_CHECK_METADATA.source, 'header:x-api-key');
      const request = CheckRequest.fromPartial({
        attributes: { request: { http: { headers: { 'x-api-key': 'cluster-key-1' } } } },
      });
      const response = await new Promise<CheckResponse>((resolve, reject) =>
        c.auth.check(request, md, (error, r) => (error === null ? resolve(r) : reject(error))),
      );
      c.close();
      const ok = response.httpResponse?.$case === 'okResponse' ? response.httpResponse.value : undefined;
      expect(ok?.headers.map((h) => [h.header?.key, h.header?.value])).to.deep.equal([
        [API_KEY_CLIENT_HEADER, 'a'],
      ]);
      expect(await (await fetch(`http://127.0.0.1:${metrics}/metrics`)).text()).to.include(
        'aspen_dataplane_api_key_checks_total',
      );
    } finally {
      stop('SIGTERM');
      expect(await exit).to.equal(0);
      api.stop();
      await rm(dir, { recursive: true, force: true });
    }
    expect(stderr.join('')).to.not.include('cluster-key-1');
  });
});
