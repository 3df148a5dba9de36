import { expect } from 'chai';
import { get } from 'node:http';
import { Registry } from 'prom-client';
import { generateRootCa } from '../../src/ca/root.js';
import { newCaState, trustBundle } from '../../src/ca/state.js';
import type { CaState } from '../../src/ca/types.js';
import { SubjectAlternativeNameExtension } from '../../src/ca/x509.js';
import { Secret } from '../../src/gen/envoy/extensions/transport_sockets/tls/v3/secret.js';
import type { DiscoveryResponse } from '../../src/gen/envoy/service/discovery/v3/discovery.js';
import { startServe } from '../../src/serve/app.js';
import type { ServeApp } from '../../src/serve/app.js';
import { WorkloadSecrets } from '../../src/serve/secrets.js';
import type { ProxyIR } from '../../src/ir/index.js';
import { SnapshotCache } from '../../src/xds/cache/cache.js';
import { silentLogger } from '../../src/xds/server/types.js';
import { ManualWatcher } from '../../src/serve/watcher.js';
import { unpackAnyAs } from '../../src/xds/proto/any.js';
import { SECRET_TYPE_URL } from '../../src/xds/sds/secrets.js';
import { defaultXdsConfig } from '../../src/xds/translate/config.js';
import { leafOf, unwrap } from '../ca/fixtures.js';
import { ScriptedAdsClient } from '../xds/server/client.js';
import { CDS, FakeTimers, copyExamples, recordingLogger, removeDir } from './fixtures.js';
import type { LogLine } from './fixtures.js';

const LOOPBACK_ANY_PORT = { host: '127.0.0.1', port: 0 };
const HOUR = 60 * 60 * 1000;

function text(source: { specifier?: { $case: string; value: unknown } } | undefined): string {
  const value = source?.specifier?.value;
  return value instanceof Uint8Array ? new TextDecoder().decode(value) : String(value);
}

/** The `default` certificate chain and the `ROOTCA` bundle of an SDS response. */
function secretsOf(response: DiscoveryResponse): { chain: string; bundle: string; names: string[] } {
  expect(response.typeUrl).to.equal('type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret');
  const secrets = response.resources.map((any) => {
    expect(any.typeUrl).to.equal(SECRET_TYPE_URL);
    return unpackAnyAs(any, Secret);
  });
  const cert = secrets.find((s) => s.name === 'default');
  const root = secrets.find((s) => s.name === 'ROOTCA');
  if (cert?.type?.$case !== 'tlsCertificate') throw new Error('no default tls certificate');
  if (root?.type?.$case !== 'validationContext') throw new Error('no ROOTCA validation context');
  return {
    chain: text(cert.type.value.certificateChain),
    bundle: text(root.type.value.trustedCa),
    names: secrets.map((s) => s.name).sort(),
  };
}

function uriSans(chain: string): string[] {
  const san = leafOf(chain).getExtension(SubjectAlternativeNameExtension);
  return (san?.names.items ?? []).map((n) => n.value);
}

function readyz(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path: '/readyz' }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve(body));
    }).on('error', reject);
  });
}

describe('aspen serve: SDS over the ADS stream', () => {
  let dir: string;
  let app: ServeApp | undefined;
  let timers: FakeTimers;
  let logs: LogLine[];
  const clients: ScriptedAdsClient[] = [];

  beforeEach(async () => {
    dir = await copyExamples();
    timers = new FakeTimers();
    logs = [];
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
        svidTtlMs: 10 * HOUR,
      },
      {
        logger: recordingLogger(logs),
        registry: new Registry(),
        clock: timers,
        timers,
        watcher: new ManualWatcher(),
        random: () => 0.5,
      },
    );
  });

  afterEach(async () => {
    for (const client of clients.splice(0)) client.close();
    await app?.close();
    app = undefined;
    await removeDir(dir);
  });

  async function connect(cluster: string): Promise<ScriptedAdsClient> {
    const port = (await app?.serving) ?? 0;
    const client = new ScriptedAdsClient(`127.0.0.1:${port}`, cluster);
    clients.push(client);
    return client;
  }

  it("sends each proxy `default` (its own workload's SVID) and `ROOTCA`", async () => {
    const orders = await connect('shop/orders');
    orders.subscribe(SECRET_TYPE_URL);
    const mine = secretsOf(await orders.next(5000));
    expect(mine.names).to.deep.equal(['ROOTCA', 'default']);
    expect(uriSans(mine.chain)).to.deep.equal(['spiffe://cluster.local/ns/shop/sa/orders']);
    expect(mine.bundle).to.equal(trustBundle(app?.ca ?? ({} as never), () => timers.now()));

    const payments = await connect('shop/payments');
    payments.subscribe(SECRET_TYPE_URL, ['default', 'ROOTCA']);
    const theirs = secretsOf(await payments.next(5000));
    expect(uriSans(theirs.chain)).to.deep.equal(['spiffe://cluster.local/ns/shop/sa/payments']);
    expect(theirs.chain).to.not.equal(mine.chain);
    await orders.expectNoResponse();
  });

  it('renews past renewAt: a new Secret version, only for the due proxy and only the Secret type', async () => {
    const orders = await connect('shop/orders');
    orders.subscribe(CDS);
    orders.ack(await orders.next(5000));
    orders.subscribe(SECRET_TYPE_URL);
    const first = await orders.next(5000);
    orders.ack(first);
    const before = secretsOf(first);
    const renewAt = app?.secrets.issued('shop/orders')?.renewAt;
    if (renewAt === undefined) throw new Error('nothing issued for shop/orders');
    // random 0.5: renewal at half the lifetime, no jitter.
    expect(renewAt.getTime() - timers.now().getTime()).to.be.within(5 * HOUR - 60_000, 5 * HOUR);

    timers.advance(renewAt.getTime() - timers.now().getTime() - 1);
    await orders.expectNoResponse();
    timers.advance(1);
    const renewed = await orders.next(5000);
    expect(renewed.typeUrl).to.equal(SECRET_TYPE_URL);
    expect(renewed.versionInfo).to.not.equal(first.versionInfo);
    const after = secretsOf(renewed);
    expect(leafOf(after.chain).serialNumber).to.not.equal(leafOf(before.chain).serialNumber);
    expect(uriSans(after.chain)).to.deep.equal(['spiffe://cluster.local/ns/shop/sa/orders']);
    expect(after.bundle).to.equal(before.bundle);
    orders.ack(renewed);
    await orders.expectNoResponse(); // CDS was not re-pushed
    expect(app?.secrets.issued('shop/orders')?.renewAt.getTime()).to.be.greaterThan(renewAt.getTime());
  });

  it('keeps key material out of logs, the last build and /readyz', async () => {
    const orders = await connect('shop/orders');
    orders.subscribe(SECRET_TYPE_URL);
    await orders.next(5000);
    const body = await readyz(app?.healthPort ?? 0);
    expect(body).to.include('"ready":true');
    for (const text of [body, JSON.stringify(app?.lastBuild()), JSON.stringify(logs)]) {
      expect(text).to.not.include('PRIVATE KEY');
      expect(text).to.not.include('BEGIN CERTIFICATE');
    }
    expect(logs.some((l) => l.message === 'workload certificate issued')).to.equal(true);
  });
});

describe('serve WorkloadSecrets: trust bundle', () => {
  function proxy(name: string): ProxyIR {
    return {
      key: `shop/${name}`,
      workload: { namespace: 'shop', name, kind: 'Deployment', serviceAccount: name },
      identity: `spiffe://cluster.local/ns/shop/sa/${name}`,
      policies: [],
      ports: [],
      outbound: [],
    };
  }

  it('republishes ROOTCA to every proxy when a retired root leaves the bundle; certificates stay', async () => {
    const timers = new FakeTimers();
    const clock = (): Date => timers.now();
    const active = unwrap(await generateRootCa({ trustDomain: 'cluster.local', clock }));
    const old = unwrap(await generateRootCa({ trustDomain: 'cluster.local', clock }));
    const ca: CaState = {
      ...newCaState(active),
      retired: [{ anchorPem: old.anchorPem, trustedUntil: new Date(timers.now().getTime() + HOUR) }],
    };
    const cache = new SnapshotCache();
    const secrets = new WorkloadSecrets({
      ca,
      cache,
      clock: timers,
      random: () => 0.5,
      timers,
      logger: silentLogger,
    });
    const proxies = [proxy('orders'), proxy('payments')];
    await secrets.prepare(proxies);
    const served = (key: string): { version: string; bundle: string; chain: string } => {
      const type = cache.getSnapshot(key)?.types.get(SECRET_TYPE_URL);
      if (type === undefined) throw new Error(`${key}: no secrets served`);
      const response = { typeUrl: SECRET_TYPE_URL, resources: type.resources.map((r) => r.encoded) };
      const { bundle, chain } = secretsOf(response as DiscoveryResponse);
      return { version: type.version, bundle, chain };
    };
    for (const p of proxies) {
      const resources = secrets.resourcesFor(p.key);
      if (typeof resources === 'string') throw new Error(resources);
      cache.setSnapshot(p.key, { [SECRET_TYPE_URL]: resources });
    }
    const before = proxies.map((p) => served(p.key));
    expect(before[0]?.bundle).to.include(old.anchorPem.trim());
    timers.advance(HOUR);
    await new Promise((resolve) => setImmediate(resolve));
    const after = proxies.map((p) => served(p.key));
    for (const [i, now] of after.entries()) {
      expect(now.version).to.not.equal(before[i]?.version);
      expect(now.bundle).to.equal(active.anchorPem);
      expect(now.chain).to.equal(before[i]?.chain);
    }
    secrets.stop();
  });
});
