// State-of-the-world ADS protocol scenarios over loopback with a real gRPC client, named after go-control-plane's.
import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import { CDS, LDS, NOW, RDS, cluster, listener, namesOf, route, startHarness } from './harness.js';
import type { Harness } from './harness.js';

const WEB = 'shop/web';
const API = 'shop/api';

describe('xds/server: state-of-the-world ADS', () => {
  let h: Harness;

  beforeEach(async () => {
    h = await startHarness();
  });

  afterEach(async () => {
    await h.close();
  });

  function ackedVersion(proxyKey: string, typeUrl: string): string | undefined {
    const stream = h.ads.streams().find((s) => s.stream.proxyKey === proxyKey);
    return stream?.types.find((t) => t.typeUrl === typeUrl)?.ackedVersion;
  }

  it('InitialWildcardRequest: LDS and CDS requests without names get the whole snapshot', async () => {
    const { snapshot } = h.cache.setSnapshot(WEB, {
      [LDS]: [listener('inbound_8080')],
      [CDS]: [cluster('b'), cluster('a')],
    });
    const proxy = h.connect(WEB);
    proxy.subscribe(LDS);
    const lds = await proxy.next();
    proxy.subscribe(CDS);
    const cds = await proxy.next();

    expect(lds.typeUrl).to.equal(LDS);
    expect(namesOf(lds)).to.deep.equal(['inbound_8080']);
    expect(lds.versionInfo).to.equal(snapshot.types.get(LDS)?.version);
    expect(cds.typeUrl).to.equal(CDS);
    expect(namesOf(cds)).to.deep.equal(['a', 'b']);
    expect(cds.versionInfo).to.equal(snapshot.types.get(CDS)?.version);
    expect(cds.nonce).to.not.equal('').and.not.equal(lds.nonce);
    const connected = h.log.of('connected').map((e) => [e.stream.nodeId, e.stream.userAgent]);
    expect(connected).to.deep.equal([['shop/web-pod', 'envoy/1.36.2']]);
  });

  it('NoSnapshotYet: a request waits until the first snapshot is published', async () => {
    const proxy = h.connect(WEB);
    proxy.subscribe(CDS);
    await h.log.waitFor('connected');
    await proxy.expectNoResponse();
    h.cache.setSnapshot(WEB, { [CDS]: [cluster('a')] });
    expect(namesOf(await proxy.next())).to.deep.equal(['a']);
  });

  it('Ack: records the version and sends nothing more', async () => {
    h.cache.setSnapshot(WEB, { [CDS]: [cluster('a')] });
    const proxy = h.connect(WEB);
    proxy.subscribe(CDS);
    const response = await proxy.next();
    proxy.ack(response);

    const acked = await h.log.waitFor('acked');
    expect(acked.version).to.equal(response.versionInfo);
    expect(ackedVersion(WEB, CDS)).to.equal(response.versionInfo);
    await proxy.expectNoResponse();
    expect(h.log.of('sent')).to.have.length(1);
  });

  it('SnapshotChange: a new version is pushed; identical content is not', async () => {
    h.cache.setSnapshot(WEB, { [CDS]: [cluster('a')] });
    const proxy = h.connect(WEB);
    proxy.subscribe(CDS);
    const first = await proxy.next();
    proxy.ack(first);
    await h.log.waitFor('acked');

    expect(h.cache.setSnapshot(WEB, { [CDS]: [cluster('a')] }).changedTypes).to.deep.equal([]);
    h.cache.setSnapshot(WEB, { [CDS]: [cluster('a', 'v2')] });
    const second = await proxy.next();
    expect(second.versionInfo).to.not.equal(first.versionInfo);
    expect(second.nonce).to.not.equal(first.nonce);
    expect(h.log.of('sent')).to.have.length(2);
  });

  it('Nack: recorded with onRejected, last good version kept, rejected version not resent', async () => {
    h.cache.setSnapshot(WEB, { [CDS]: [cluster('a')] });
    const proxy = h.connect(WEB);
    proxy.subscribe(CDS);
    const good = await proxy.next();
    proxy.ack(good);
    await h.log.waitFor('acked');

    h.cache.setSnapshot(WEB, { [CDS]: [cluster('a', 'bad')] });
    const bad = await proxy.next();
    proxy.nack(bad, good.versionInfo, 'cluster a: invalid');
    const { rejection } = await h.log.waitFor('rejected');
    expect(rejection).to.deep.equal({
      proxyKey: WEB,
      typeUrl: CDS,
      version: bad.versionInfo,
      code: 3,
      message: 'cluster a: invalid',
      at: NOW,
    });
    expect(h.ads.standingRejections()).to.deep.equal([rejection]);
    const state = h.ads.streams()[0]?.types[0];
    expect(state?.ackedVersion).to.equal(good.versionInfo);
    expect(state?.rejectedVersion).to.equal(bad.versionInfo);

    // The proxy asks again (latest nonce, its last good version): still nothing, no resend loop.
    proxy.send({ typeUrl: CDS, versionInfo: good.versionInfo, responseNonce: bad.nonce });
    await proxy.expectNoResponse();
    expect(h.log.of('sent')).to.have.length(2);

    // A new snapshot version is sent; its ACK clears the standing rejection.
    h.cache.setSnapshot(WEB, { [CDS]: [cluster('a', 'fixed')] });
    const fixed = await proxy.next();
    expect(fixed.versionInfo).to.not.equal(bad.versionInfo);
    proxy.ack(fixed);
    await h.log.waitFor('acked', (e) => e.version === fixed.versionInfo);
    expect(h.ads.standingRejections()).to.deep.equal([]);
  });

  it('NackKnownOnReconnect: a new stream gets the current version, marked as known rejected', async () => {
    h.cache.setSnapshot(WEB, { [CDS]: [cluster('a', 'bad')] });
    const first = h.connect(WEB);
    first.subscribe(CDS);
    const bad = await first.next();
    first.nack(bad, '', 'invalid');
    await h.log.waitFor('rejected');
    first.close();
    await h.log.waitFor('disconnected');

    const second = h.connect(WEB);
    second.send({ typeUrl: CDS, responseNonce: bad.nonce });
    expect((await second.next()).versionInfo).to.equal(bad.versionInfo);
    const sent = h.log.of('sent').map((e) => e.response.knownRejected);
    expect(sent).to.deep.equal([false, true]);
  });

  it('StaleNonce: a request answering an older response is ignored', async () => {
    h.cache.setSnapshot(WEB, { [CDS]: [cluster('a')] });
    const proxy = h.connect(WEB);
    proxy.subscribe(CDS);
    const first = await proxy.next();
    h.cache.setSnapshot(WEB, { [CDS]: [cluster('a', 'v2')] });
    const second = await proxy.next();

    proxy.ack(first); // stale: `second` was sent since
    await h.log.waitFor('ignored');
    proxy.nack(first, '', 'late NACK of an old version'); // stale too: not recorded
    await h.log.waitFor('ignored', (e) => e !== h.log.of('ignored')[0]);
    proxy.ack(second);
    await h.log.waitFor('acked');

    expect(h.log.of('acked').map((e) => e.version)).to.deep.equal([second.versionInfo]);
    expect(h.log.of('rejected')).to.deep.equal([]);
    expect(h.log.of('ignored').map((e) => e.reason)).to.deep.equal(['stale-nonce', 'stale-nonce']);
  });

  it('TwoProxies: each stream gets only its own proxy key snapshot', async () => {
    h.cache.setSnapshot(WEB, { [CDS]: [cluster('web-backend')] });
    h.cache.setSnapshot(API, { [CDS]: [cluster('api-backend'), cluster('db')] });
    const web = h.connect(WEB);
    const api = h.connect(API);
    web.subscribe(CDS);
    api.subscribe(CDS);
    const webFirst = await web.next();
    expect(namesOf(webFirst)).to.deep.equal(['web-backend']);
    expect(namesOf(await api.next())).to.deep.equal(['api-backend', 'db']);
    web.ack(webFirst);
    await h.log.waitFor('acked');

    h.cache.setSnapshot(API, { [CDS]: [cluster('api-backend')] });
    expect(namesOf(await api.next())).to.deep.equal(['api-backend']);
    await web.expectNoResponse();
  });

  it('Reconnect: a new stream gets the current snapshot, whatever version it reports', async () => {
    h.cache.setSnapshot(WEB, { [CDS]: [cluster('a')] });
    const first = h.connect(WEB);
    first.subscribe(CDS);
    const v1 = await first.next();
    first.ack(v1);
    await h.log.waitFor('acked');
    first.close();
    await h.log.waitFor('disconnected');

    h.cache.setSnapshot(WEB, { [CDS]: [cluster('a', 'v2')] });
    const second = h.connect(WEB);
    second.send({ typeUrl: CDS, versionInfo: v1.versionInfo, responseNonce: v1.nonce });
    const v2 = await second.next();
    expect(v2.versionInfo).to.equal(h.cache.getSnapshot(WEB)?.types.get(CDS)?.version);

    // Reporting the current version on a new stream still gets an answer (gRPC clients wait for one).
    const third = h.connect(WEB);
    third.send({ typeUrl: CDS, versionInfo: v2.versionInfo, responseNonce: v2.nonce });
    expect((await third.next()).versionInfo).to.equal(v2.versionInfo);
  });

  it('NamedSubscription: RDS gets only the named routes, and more when it asks for more', async () => {
    h.cache.setSnapshot(WEB, { [RDS]: [route('r1'), route('r2'), route('r3')] });
    const proxy = h.connect(WEB);
    proxy.subscribe(RDS, ['r3', 'r1', 'missing']);
    const first = await proxy.next();
    expect(namesOf(first)).to.deep.equal(['r1', 'r3']);

    proxy.ack(first, ['r1', 'r2', 'r3']); // ACK that also widens the subscription: same version, new names
    const second = await proxy.next();
    expect(second.versionInfo).to.equal(first.versionInfo);
    expect(namesOf(second)).to.deep.equal(['r1', 'r2', 'r3']);
    proxy.ack(second, ['r1', 'r2', 'r3']);
    await h.log.waitFor('acked', (e) => e.version === second.versionInfo && h.log.of('acked').length === 2);
    await proxy.expectNoResponse();
  });

  it('ResourceRemoval: a removed cluster is absent from the next CDS response', async () => {
    h.cache.setSnapshot(WEB, { [CDS]: [cluster('a'), cluster('b')] });
    const proxy = h.connect(WEB);
    proxy.subscribe(CDS);
    const both = await proxy.next();
    expect(namesOf(both)).to.deep.equal(['a', 'b']);
    proxy.ack(both);
    await h.log.waitFor('acked');

    h.cache.setSnapshot(WEB, { [CDS]: [cluster('a')] });
    expect(namesOf(await proxy.next())).to.deep.equal(['a']);
    h.cache.setSnapshot(WEB, {});
    const none = await proxy.next();
    expect(none.resources).to.deep.equal([]);
    expect(none.typeUrl).to.equal(CDS);
  });

  it('PushOrder: after a snapshot change, CDS goes out before LDS whatever the subscription order', async () => {
    h.cache.setSnapshot(WEB, { [LDS]: [listener('l')], [CDS]: [cluster('a')] });
    const proxy = h.connect(WEB);
    proxy.subscribe(LDS);
    proxy.ack(await proxy.next());
    proxy.subscribe(CDS);
    proxy.ack(await proxy.next());
    await h.log.waitFor('acked', () => h.log.of('acked').length === 2);

    h.cache.setSnapshot(WEB, { [LDS]: [listener('l'), listener('m')], [CDS]: [cluster('a'), cluster('b')] });
    expect((await proxy.next()).typeUrl).to.equal(CDS);
    expect((await proxy.next()).typeUrl).to.equal(LDS);
  });

  it('HookFailure: a throwing event hook is logged, the stream goes on', async () => {
    const throwing = await startHarness(undefined, {
      onSent: () => {
        throw new Error('metrics broke');
      },
    });
    try {
      throwing.cache.setSnapshot(WEB, { [CDS]: [cluster('a')] });
      const proxy = throwing.connect(WEB);
      proxy.subscribe(CDS);
      const response = await proxy.next();
      proxy.ack(response);
      expect((await throwing.log.waitFor('acked')).version).to.equal(response.versionInfo);
    } finally {
      await throwing.close();
    }
  });

  it('Delta: DeltaAggregatedResources is served, behind the same authenticator (no Node: refused)', async () => {
    expect(await h.deltaStatus()).to.equal(status.UNAUTHENTICATED);
  });

  it('Unauthenticated: the file-mode authenticator refuses a node without <namespace>/<workload>', async () => {
    h.cache.setSnapshot(WEB, { [CDS]: [cluster('a')] });
    const proxy = h.connect('no-namespace');
    proxy.subscribe(CDS);
    const final = await proxy.status();
    expect(final.code).to.equal(status.UNAUTHENTICATED);
    expect(h.log.of('refused')).to.have.length(1);
    expect(h.log.of('connected')).to.deep.equal([]);
  });

  it('MissingTypeUrl: an ADS request without type_url ends the stream with INVALID_ARGUMENT', async () => {
    const proxy = h.connect(WEB);
    proxy.send({});
    expect((await proxy.status()).code).to.equal(status.INVALID_ARGUMENT);
  });

  it('Shutdown: close() ends open streams and refuses new ones', async () => {
    h.cache.setSnapshot(WEB, { [CDS]: [cluster('a')] });
    const proxy = h.connect(WEB);
    proxy.subscribe(CDS);
    await proxy.next();
    await h.server.close(500);
    expect((await proxy.status()).code).to.equal(status.OK);
    expect(h.ads.streamCount()).to.equal(0);
    expect(h.log.of('disconnected')).to.have.length(1);
  });
});

describe('xds/server: authentication seam', () => {
  it('Unauthenticated: an authenticator Error ends the stream with UNAUTHENTICATED', async () => {
    const h = await startHarness(() => Promise.resolve(new Error('token expired')));
    try {
      h.cache.setSnapshot(WEB, { [CDS]: [cluster('a')] });
      const proxy = h.connect(WEB);
      proxy.subscribe(CDS);
      const final = await proxy.status();
      expect(final.code).to.equal(status.UNAUTHENTICATED);
      expect(final.details).to.contain('token expired');
      expect(h.log.of('refused').map((e) => e.reason)).to.deep.equal(['token expired']);
      expect(h.log.of('sent')).to.deep.equal([]);
    } finally {
      await h.close();
    }
  });

  it('a throwing authenticator is a refusal too', async () => {
    const h = await startHarness(() => Promise.reject(new Error('backend down')));
    try {
      const proxy = h.connect(WEB);
      proxy.subscribe(CDS);
      expect((await proxy.status()).code).to.equal(status.UNAUTHENTICATED);
    } finally {
      await h.close();
    }
  });

  it('the authenticated proxy key, not node.cluster, selects the snapshot', async () => {
    const h = await startHarness(() => Promise.resolve({ proxyKey: API }));
    try {
      h.cache.setSnapshot(WEB, { [CDS]: [cluster('web-only')] });
      h.cache.setSnapshot(API, { [CDS]: [cluster('api-only')] });
      const proxy = h.connect(WEB); // claims shop/web in node.cluster
      proxy.subscribe(CDS);
      expect(namesOf(await proxy.next())).to.deep.equal(['api-only']);
    } finally {
      await h.close();
    }
  });
});
