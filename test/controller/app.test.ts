import { expect } from 'chai';
import { get } from 'node:http';
import { Metadata, credentials } from '@grpc/grpc-js';
import type { ChannelCredentials } from '@grpc/grpc-js';
import { Registry } from 'prom-client';
import { trustBundle } from '../../src/ca/state.js';
import { startController } from '../../src/controller/app.js';
import type { ControllerApp } from '../../src/controller/app.js';
import type { ControllerOptions } from '../../src/controller/options.js';
import type { BuildReport } from '../../src/serve/runner.js';
import type { StreamInfo } from '../../src/xds/server/types.js';
import { defaultXdsConfig } from '../../src/xds/translate/config.js';
import { startFakeApiServer } from '../support/fake-apiserver/index.js';
import type { FakeApiServer } from '../support/fake-apiserver/index.js';
import { endpointSlice, eventually, seedExamples } from '../provider/kubernetes/fixtures.js';
import { FakeTimers, LDS, recordingLogger } from '../serve/fixtures.js';
import type { LogLine } from '../serve/fixtures.js';
import { ScriptedAdsClient } from '../xds/server/client.js';

const LOOPBACK = { host: '127.0.0.1', port: 0 };
const ASP = 'aspen.dev/v1alpha1';

function options(overrides: Partial<ControllerOptions> = {}): ControllerOptions {
  return {
    namespace: 'aspen-system',
    trustDomain: 'cluster.local',
    replicaId: 'replica-a',
    caSecret: 'aspen-ca',
    xds: defaultXdsConfig(),
    xdsListen: LOOPBACK,
    healthListen: LOOPBACK,
    metricsListen: LOOPBACK,
    leaderElect: false,
    shutdownGraceMs: 200,
    ...overrides,
  };
}

function httpStatus(port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    }).on('error', reject);
  });
}

function httpBody(port: number, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve(body));
    }).on('error', reject);
  });
}

/** TLS trusting the workload CA, plus the bearer token (when given) on every call. */
function proxyCredentials(
  app: ControllerApp,
  timers: FakeTimers,
  token: string | undefined,
): ChannelCredentials {
  const tls = credentials.createSsl(Buffer.from(trustBundle(app.ca, () => timers.now())));
  if (token === undefined) return tls;
  const bearer = credentials.createFromMetadataGenerator((_params, callback) => {
    const metadata = new Metadata();
    metadata.add('authorization', `Bearer ${token}`);
    callback(null, metadata);
  });
  return credentials.combineChannelCredentials(tls, bearer);
}

describe('aspen controller (fake API server, real client-node)', () => {
  let api: FakeApiServer;
  let app: ControllerApp | undefined;
  let timers: FakeTimers;
  let logs: LogLine[];
  let reports: BuildReport[];
  let connected: StreamInfo[];
  const clients: ScriptedAdsClient[] = [];

  async function start(overrides: Partial<ControllerOptions> = {}): Promise<ControllerApp> {
    app = await startController(options(overrides), {
      kubeConfig: api.kubeConfig,
      logger: recordingLogger(logs),
      registry: new Registry(),
      clock: timers,
      timers,
      extensions: [
        () => ({
          name: 'recorder',
          onBuilt: (report) => reports.push(report),
          events: { onConnected: (stream) => connected.push(stream) },
        }),
      ],
    });
    return app;
  }

  async function proxy(cluster: string, token: string | undefined): Promise<ScriptedAdsClient> {
    if (app === undefined) throw new Error('not started');
    const port = await app.serving;
    const client = new ScriptedAdsClient(`localhost:${port}`, cluster, {
      credentials: proxyCredentials(app, timers, token),
    });
    clients.push(client);
    return client;
  }

  beforeEach(async () => {
    api = await startFakeApiServer();
    await seedExamples(api);
    api.tokens.allow('orders-token', 'shop', 'orders');
    api.tokens.allow('frontend-token', 'shop', 'frontend');
    timers = new FakeTimers(Date.now());
    logs = [];
    reports = [];
    connected = [];
  });

  afterEach(async () => {
    for (const client of clients.splice(0)) client.close();
    await app?.close();
    app = undefined;
    await api.close();
  });

  it('is not ready and publishes nothing before every informer has synced', async () => {
    api.failNext(1, { path: '/endpointslices', watch: false, code: 500 });
    const started = await start();
    await eventually(() => api.requests.some((r) => r.path.endsWith('/endpointslices')), 'the failed list');
    expect(await httpStatus(started.healthPort, '/readyz')).to.equal(503);
    expect(started.cache.proxyKeys()).to.deep.equal([]);
    expect(reports).to.deep.equal([]);
    timers.advance(1000);
    await started.serving;
    expect(await httpStatus(started.healthPort, '/readyz')).to.equal(200);
    expect(started.cache.proxyKeys()).to.deep.equal(['shop/frontend', 'shop/orders', 'shop/payments']);
    const metrics = await httpBody(started.metricsPort, '/metrics');
    expect(metrics).to.include('aspen_informer_synced{kind="endpointSlices"} 1');
    expect(metrics).to.include('aspen_informer_lists{kind="endpointSlices"} 1');
  });

  it('serves an authenticated proxy and follows policy changes into its snapshot', async () => {
    const started = await start();
    const orders = await proxy('shop/orders', 'orders-token');
    orders.subscribe(LDS);
    const first = await orders.next(5000);
    expect(first.resources.length).to.be.greaterThan(0);
    orders.ack(first);
    expect(connected.map((s) => s.proxyKey)).to.deep.equal(['shop/orders']);

    const builds = reports.length;
    api.remove(ASP, 'ApiSecurityPolicy', 'shop', 'orders-api');
    await eventually(() => started.source.store('policies').length === 2, 'the deletion');
    timers.advance(200);
    await started.runner.settled();
    const second = await orders.next(5000);
    expect(second.versionInfo).to.not.equal(first.versionInfo);
    expect(reports.length).to.equal(builds + 1);
    expect(reports.at(-1)?.translation?.statuses.map((s) => s.name)).to.deep.equal(['frontend', 'payments']);
  });

  it('refuses proxies without a valid token for their workload (fail closed)', async () => {
    await start();
    for (const [cluster, token] of [
      ['shop/orders', undefined],
      ['shop/orders', 'forged-token'],
      ['shop/orders', 'frontend-token'],
      ['shop/ghost', 'orders-token'],
    ] as const) {
      const client = await proxy(cluster, token);
      client.subscribe(LDS);
      const status = await client.status(5000);
      expect(status.code, `${cluster} with ${token ?? 'no token'}`).to.equal(16);
      expect(status.details).to.not.include('forged-token');
    }
    expect(connected).to.deep.equal([]);
    const logged = JSON.stringify(logs);
    for (const token of ['forged-token', 'frontend-token', 'orders-token'])
      expect(logged).to.not.include(token);
  });

  it('takes the endpoint fast path for EndpointSlice changes: no rebuild, no translation', async () => {
    const started = await start();
    await started.serving;
    const builds = reports.length;
    api.put(endpointSlice('orders', ['10.0.0.10']));
    await eventually(
      () => timers.waiting > 0 && started.source.store('endpointSlices').length === 1,
      'the slice',
    );
    timers.advance(200);
    await eventually(() => started.runner.endpointRefreshes === 1, 'the endpoint refresh');
    await started.runner.settled();
    expect(reports.length).to.equal(builds);
  });

  it('keeps the workload CA in its Secret across restarts and never logs the key', async () => {
    const first = await start();
    await first.serving;
    const secret = api.get('v1', 'Secret', 'aspen-system', 'aspen-ca') as { data: Record<string, string> };
    expect(Object.keys(secret.data).sort()).to.deep.equal(['ca.crt', 'ca.key']);
    const anchor = first.ca.active.anchorPem;
    await first.close();
    app = undefined;
    const second = await start();
    expect(second.ca.active.anchorPem).to.equal(anchor);
    const key = Buffer.from(secret.data['ca.key'] ?? '', 'base64').toString('utf8');
    const body = key.split('\n')[1] ?? 'missing';
    expect(JSON.stringify(logs)).to.not.include(body);
    expect(logs.some((l) => l.message === 'workload CA generated and stored')).to.equal(true);
    expect(logs.some((l) => l.message === 'workload CA loaded')).to.equal(true);
  });

  it('runs status reporting by default: the leader writes each policy status', async () => {
    app = await startController(
      options({
        leaderElect: true,
        leaderTiming: { leaseDurationMs: 1500, renewDeadlineMs: 1000, retryPeriodMs: 200 },
      }),
      {
        kubeConfig: api.kubeConfig,
        logger: recordingLogger(logs),
        registry: new Registry(),
      },
    );
    await app.serving;
    const accepted = (): boolean => {
      const policy = api.get(ASP, 'ApiSecurityPolicy', 'shop', 'orders-api') as {
        status?: { conditions?: { type: string; status: string }[] };
      };
      return (policy.status?.conditions ?? []).some((c) => c.type === 'Accepted' && c.status === 'True');
    };
    await eventually(
      () => app?.leadership.isLeader() === true && accepted(),
      'leadership and the Accepted condition',
    );
    expect(
      api.list('v1', 'ConfigMap', 'aspen-system').map((c) => (c['metadata'] as { name: string }).name),
    ).to.include('aspen-sync-replica-a');
  });

  it('refuses to start on a CA Secret that holds no usable CA', async () => {
    api.put({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'aspen-ca', namespace: 'aspen-system' },
      data: { 'ca.crt': 'eA==' },
    });
    const error = await start().catch((e: Error) => e);
    expect(error).to.be.instanceOf(Error);
    expect((error as Error).message).to.include('lacks ca.key');
  });
});
