import { expect } from 'chai';
import { readFile, writeFile } from 'node:fs/promises';
import { get } from 'node:http';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { main } from '../../src/cli/main.js';
import type { CliIO } from '../../src/cli/io.js';
import type { ServeRuntime } from '../../src/cli/serve.js';
import { startServe } from '../../src/serve/app.js';
import type { ServeApp } from '../../src/serve/app.js';
import { ServeMetrics } from '../../src/serve/metrics.js';
import { ManualWatcher } from '../../src/serve/watcher.js';
import { silentLogger } from '../../src/xds/server/types.js';
import { defaultXdsConfig } from '../../src/xds/translate/config.js';
import { ScriptedAdsClient } from '../xds/server/client.js';
import { CDS, FakeTimers, LDS, copyExamples, removeDir } from './fixtures.js';

const LOOPBACK_ANY_PORT = { host: '127.0.0.1', port: 0 };

/** GET http://127.0.0.1:<port><path>: status and body. */
function httpGet(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject);
  });
}

describe('aspen serve: readiness and metrics', () => {
  let dir: string;
  let app: ServeApp | undefined;

  beforeEach(async () => {
    dir = await copyExamples();
  });

  afterEach(async () => {
    await app?.close();
    app = undefined;
    await removeDir(dir);
  });

  it('is not ready (503) and serves no xDS until the first complete build, then 200', async () => {
    const file = join(dir, 'shop/workloads.yaml');
    const good = await readFile(file, 'utf8');
    await writeFile(file, `${good}\n---\nkind: [broken\n`);
    const timers = new FakeTimers();
    const watcher = new ManualWatcher();
    const registry = new Registry();
    app = await startServe(
      {
        dir,
        defaultNamespace: 'default',
        trustDomain: 'cluster.local',
        xds: defaultXdsConfig(),
        xdsListen: LOOPBACK_ANY_PORT,
        xdsInsecure: true,
        healthListen: LOOPBACK_ANY_PORT,
        metricsListen: LOOPBACK_ANY_PORT,
        shutdownGraceMs: 500,
      },
      { logger: silentLogger, registry, clock: timers, timers, watcher },
    );
    await app.runner.settled();
    expect((await httpGet(app.healthPort, '/healthz')).status).to.equal(200);
    const notReady = await httpGet(app.healthPort, '/readyz');
    expect(notReady.status).to.equal(503);
    expect(JSON.parse(notReady.body)).to.deep.include({ ready: false });
    expect(app.cache.proxyKeys()).to.deep.equal([]);

    await writeFile(file, good);
    watcher.change();
    timers.advance(200);
    await app.runner.settled();
    const port = await app.serving;
    expect(port).to.be.greaterThan(0);
    const ready = await httpGet(app.healthPort, '/readyz');
    expect(ready.status).to.equal(200);
    expect(JSON.parse(ready.body)).to.deep.nested.include({ ready: true, 'lastBuild.ok': true });

    const metrics = await httpGet(app.metricsPort, '/metrics');
    expect(metrics.status).to.equal(200);
    expect(metrics.body).to.include('aspen_rebuilds_total{outcome="load_error"} 1');
    expect(metrics.body).to.include('aspen_rebuilds_total{outcome="ok"} 1');
    expect(metrics.body).to.include('aspen_rebuild_duration_seconds_count 2');
    expect(metrics.body).to.include('aspen_xds_connected_proxies 0');
    expect((await httpGet(app.metricsPort, '/other')).status).to.equal(404);
  });
});

describe('aspen serve: shutdown before the first build', () => {
  it('closes cleanly when no complete build ever happened (the xDS port never opened)', async () => {
    const dir = await copyExamples();
    try {
      await writeFile(join(dir, 'broken.yaml'), 'kind: [broken\n');
      const timers = new FakeTimers();
      const app = await startServe(
        {
          dir,
          defaultNamespace: 'default',
          trustDomain: 'cluster.local',
          xds: defaultXdsConfig(),
          xdsListen: LOOPBACK_ANY_PORT,
          xdsInsecure: true,
          healthListen: LOOPBACK_ANY_PORT,
          metricsListen: LOOPBACK_ANY_PORT,
          shutdownGraceMs: 500,
        },
        {
          logger: silentLogger,
          registry: new Registry(),
          clock: timers,
          timers,
          watcher: new ManualWatcher(),
        },
      );
      await app.runner.settled();
      expect(app.lastBuild()).to.include({ ok: false, outcome: 'load_error' });
      expect(app.runner.ready).to.equal(false);
      await app.close();
      await app.close();
    } finally {
      await removeDir(dir);
    }
  });
});

describe('aspen serve: convergence metric', () => {
  it('observes change detected → ACK of the version carrying it, once', async () => {
    const clock = new FakeTimers();
    const registry = new Registry();
    const metrics = new ServeMetrics(registry, clock);
    const changeDetectedAt = clock.now();
    const status = {
      at: changeDetectedAt,
      ok: true,
      outcome: 'ok' as const,
      problems: [],
      proxies: 1,
      durationMs: 3,
    };
    metrics.recordBuild({
      status,
      changeDetectedAt,
      changed: [{ proxyKey: 'shop/orders', typeUrl: LDS, version: 'v2' }],
      removed: [],
    });
    clock.advance(1500);
    const stream = {
      streamId: 1,
      proxyKey: 'shop/orders',
      nodeId: 'n',
      peer: 'p',
      userAgent: 'envoy/1.36.2',
    };
    metrics.events.onAcked?.(stream, LDS, 'v1');
    metrics.events.onAcked?.(stream, LDS, 'v2');
    metrics.events.onAcked?.(stream, LDS, 'v2');
    const text = await registry.metrics();
    expect(text).to.include('aspen_xds_convergence_seconds_count 1');
    expect(text).to.include('aspen_xds_convergence_seconds_sum 1.5');
    expect(text).to.include('aspen_xds_convergence_seconds_bucket{le="2.5"} 1');
    expect(text).to.include('aspen_xds_convergence_seconds_bucket{le="1"} 0');
  });
});

describe('aspen serve: end to end', () => {
  it('serves shop/orders over ADS and pushes a new version after a policy file changes', async () => {
    const dir = await copyExamples();
    let stderr = '';
    const io: CliIO = {
      stdout: () => undefined,
      stderr: (text) => {
        stderr += text;
      },
      stdoutIsTTY: false,
      readStdin: () => Promise.resolve(''),
    };
    let stop: (signal: string) => void = () => undefined;
    let started: (app: ServeApp) => void = () => undefined;
    const appStarted = new Promise<ServeApp>((resolve) => {
      started = resolve;
    });
    const runtime: ServeRuntime = {
      shutdown: new Promise((resolve) => {
        stop = resolve;
      }),
      stderrIsTTY: false,
      onStarted: (app) => started(app),
    };
    const argv = ['serve', '--dir', dir, '--xds-insecure', '--xds-listen', '127.0.0.1:0'];
    argv.push('--health-listen', '127.0.0.1:0', '--metrics-listen', '127.0.0.1:0');
    argv.push('--dataplane-listen', '127.0.0.1:0', '--admin-listen', '127.0.0.1:0'); // no fixed ports in tests
    const exit = main(argv, io, runtime);
    let client: ScriptedAdsClient | undefined;
    try {
      const app = await appStarted;
      const port = await app.serving;
      client = new ScriptedAdsClient(`127.0.0.1:${port}`, 'shop/orders');
      client.subscribe(CDS);
      const clusters = await client.next();
      expect(clusters.typeUrl).to.equal(CDS);
      expect(clusters.resources.length).to.be.greaterThan(0);
      client.ack(clusters);
      client.subscribe(LDS);
      const listeners = await client.next();
      expect(listeners.typeUrl).to.equal(LDS);
      client.ack(listeners);

      const file = join(dir, 'policies/orders-api.yaml');
      const text = await readFile(file, 'utf8');
      await writeFile(file, text.replace('paths: [/admin, /admin/*]', 'paths: [/root, /root/*]'));
      const update = await client.next(5000);
      expect(update.typeUrl).to.equal(LDS);
      expect(update.versionInfo).to.not.equal(listeners.versionInfo);
      client.ack(update);

      const metrics = await httpGet(app.metricsPort, '/metrics');
      expect(metrics.body).to.include('aspen_xds_connected_proxies 1');
      expect(metrics.body).to.include('aspen_xds_pushes_total{type="Listener"} 2');
      expect(metrics.body).to.include('aspen_xds_pushes_total{type="Cluster"} 1');
      expect(metrics.body).to.match(/aspen_xds_push_bytes_total\{type="Listener"\} [1-9]/);
      expect(metrics.body).to.include('aspen_xds_nacks_total');
      expect(stderr).to.include('DEVELOPMENT ONLY');
    } finally {
      client?.close();
      stop('SIGTERM');
      expect(await exit).to.equal(0);
      await removeDir(dir);
    }
  });
});
