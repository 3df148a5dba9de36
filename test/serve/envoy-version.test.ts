import { expect } from 'chai';
import { Registry } from 'prom-client';
import { startServe } from '../../src/serve/app.js';
import type { ServeApp } from '../../src/serve/app.js';
import { envoyVersionOf, isSupportedEnvoy, parseEnvoyVersionRange } from '../../src/serve/envoy-version.js';
import { ManualWatcher } from '../../src/serve/watcher.js';
import { defaultXdsConfig } from '../../src/xds/translate/config.js';
import { ScriptedAdsClient } from '../xds/server/client.js';
import { runCli } from '../cli/run.js';
import { CDS, FakeTimers, copyExamples, recordingLogger, removeDir } from './fixtures.js';
import type { LogLine } from './fixtures.js';

const LOOPBACK_ANY_PORT = { host: '127.0.0.1', port: 0 };
const RANGE = { min: '1.36', max: '1.40' };

describe('serve Envoy versions: parsing', () => {
  it('parses ranges and refuses bad ones', () => {
    expect(parseEnvoyVersionRange('1.36-1.40')).to.deep.equal(RANGE);
    expect(parseEnvoyVersionRange('1.40-1.36')).to.be.a('string');
    expect(parseEnvoyVersionRange('1.36')).to.be.a('string');
    expect(parseEnvoyVersionRange('1.36-1.40-2.0')).to.be.a('string');
  });

  it('reads the version of an Envoy user agent only', () => {
    expect(envoyVersionOf('envoy/1.36.2')).to.equal('1.36.2');
    expect(envoyVersionOf('envoy/')).to.equal('unknown');
    expect(envoyVersionOf('grpc-node-js/1.14.7')).to.equal(undefined);
  });

  it('compares major.minor, both ends included', () => {
    expect(isSupportedEnvoy('1.36.0', RANGE)).to.equal(true);
    expect(isSupportedEnvoy('1.40.9', RANGE)).to.equal(true);
    expect(isSupportedEnvoy('1.35.4', RANGE)).to.equal(false);
    expect(isSupportedEnvoy('1.41.0', RANGE)).to.equal(false);
    expect(isSupportedEnvoy('2.37.0', RANGE)).to.equal(false);
    expect(isSupportedEnvoy('unknown', RANGE)).to.equal(false);
  });

  it('aspen serve exits 2 on a bad --supported-envoy', async () => {
    const run = await runCli(['serve', '--dir', 'examples/', '--xds-insecure', '--supported-envoy', 'new']);
    expect(run.code).to.equal(2);
    expect(run.stderr).to.include('--supported-envoy: "new" is not');
  });
});

describe('serve Envoy versions: metric and warning', () => {
  let dir: string;
  let app: ServeApp | undefined;
  let registry: Registry;
  let logs: LogLine[];
  const clients: ScriptedAdsClient[] = [];

  beforeEach(async () => {
    dir = await copyExamples();
    registry = new Registry();
    logs = [];
    const timers = new FakeTimers();
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
        shutdownGraceMs: 200,
      },
      { logger: recordingLogger(logs), registry, clock: timers, timers, watcher: new ManualWatcher() },
    );
  });

  afterEach(async () => {
    for (const client of clients.splice(0)) client.close();
    await app?.close();
    app = undefined;
    await removeDir(dir);
  });

  /** A proxy of `cluster` running Envoy `major.minor.patch`, connected and served its clusters. */
  async function connect(cluster: string, version: [number, number, number]): Promise<ScriptedAdsClient> {
    const port = (await app?.serving) ?? 0;
    const client = new ScriptedAdsClient(`127.0.0.1:${port}`, cluster, { envoyVersion: version });
    clients.push(client);
    client.subscribe(CDS);
    await client.next(5000);
    return client;
  }

  const warnings = (): LogLine[] =>
    logs.filter((l) => l.level === 'warn' && l.message.includes('outside the supported range'));

  it('counts connected proxies by version and warns once per proxy outside the range', async () => {
    await connect('shop/orders', [1, 36, 2]);
    const old = await connect('shop/payments', [1, 30, 1]);
    let text = await registry.metrics();
    expect(text).to.include('aspen_xds_proxy_envoy_version{version="1.36.2",supported="true"} 1');
    expect(text).to.include('aspen_xds_proxy_envoy_version{version="1.30.1",supported="false"} 1');
    expect(warnings()).to.have.length(1);
    expect(warnings()[0]?.fields).to.include({ proxy: 'shop/payments', envoyVersion: '1.30.1' });

    old.close();
    for (
      let i = 0;
      i < 100 && app?.cache && (await registry.metrics()).includes('supported="false"} 1');
      i += 1
    ) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    text = await registry.metrics();
    expect(text).to.include('aspen_xds_proxy_envoy_version{version="1.30.1",supported="false"} 0');

    await connect('shop/payments', [1, 30, 1]); // the same proxy reconnecting: no second warning
    expect(warnings()).to.have.length(1);
  });
});
