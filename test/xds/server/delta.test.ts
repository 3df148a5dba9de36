// Incremental (delta) ADS protocol scenarios over loopback with a scripted gRPC client, on aspen alone (the
// differential comparison with go-control-plane is delta-diff.test.ts).
import { expect } from 'chai';
import type { DeltaDiscoveryResponse } from '../../../src/gen/envoy/service/discovery/v3/discovery.js';
import { resourceVersion } from '../../../src/xds/server/index.js';
import { ScriptedDeltaClient, versionsOf } from './delta-client.js';
import { CDS, LDS, NOW, RDS, cluster, listener, route, startHarness } from './harness.js';
import type { Harness } from './harness.js';

const WEB = 'shop/web';

function names(response: DeltaDiscoveryResponse): string[] {
  return response.resources.map((r) => r.name).sort();
}

describe('xds/server: incremental (delta) ADS', () => {
  let h: Harness;
  let clients: ScriptedDeltaClient[];

  beforeEach(async () => {
    h = await startHarness();
    clients = [];
  });

  afterEach(async () => {
    for (const client of clients) client.close();
    await h.close();
  });

  function connect(proxyKey = WEB): ScriptedDeltaClient {
    const client = new ScriptedDeltaClient(h.address, proxyKey);
    clients.push(client);
    return client;
  }

  /** Connects, subscribes and ACKs the first response. */
  async function synced(
    typeUrl: string,
    subscribe: string[] = [],
  ): Promise<[ScriptedDeltaClient, DeltaDiscoveryResponse]> {
    const proxy = connect();
    proxy.subscribe(typeUrl, subscribe);
    const first = await proxy.next();
    proxy.ack(first);
    await h.log.waitFor('acked', (e) => e.version === first.systemVersionInfo);
    return [proxy, first];
  }

  it('WildcardSubscribe: a first request without names gets every resource, with per-resource versions', async () => {
    const a = cluster('a');
    const { snapshot } = h.cache.setSnapshot(WEB, { [CDS]: [cluster('b'), a] });
    const proxy = connect();
    proxy.subscribe(CDS);
    const response = await proxy.next();
    expect(response.typeUrl).to.equal(CDS);
    expect(names(response)).to.deep.equal(['a', 'b']);
    expect(response.removedResources).to.deep.equal([]);
    expect(response.systemVersionInfo).to.equal(snapshot.types.get(CDS)?.version);
    expect(response.resources[0]?.version).to.equal(resourceVersion(a));
    expect(response.nonce).to.not.equal('');
  });

  it('WildcardSubscribe: `*` subscribes to everything; an empty type still gets one (empty) response', async () => {
    h.cache.setSnapshot(WEB, { [CDS]: [cluster('a')] });
    const proxy = connect();
    proxy.subscribe(CDS, ['*']);
    expect(names(await proxy.next())).to.deep.equal(['a']);
    proxy.subscribe(LDS);
    const empty = await proxy.next();
    expect([empty.typeUrl, empty.resources.length, empty.removedResources.length]).to.deep.equal([LDS, 0, 0]);
  });

  it('NamedSubscribe: only the named resources; a name that does not exist is reported removed', async () => {
    h.cache.setSnapshot(WEB, { [RDS]: [route('r1'), route('r2'), route('r3')] });
    const proxy = connect();
    proxy.subscribe(RDS, ['r3', 'r1', 'missing']);
    const response = await proxy.next();
    expect(names(response)).to.deep.equal(['r1', 'r3']);
    expect(response.removedResources).to.deep.equal(['missing']);
    proxy.subscribe(RDS, ['r2']);
    expect(names(await proxy.next())).to.deep.equal(['r2']);
    h.cache.setSnapshot(WEB, { [RDS]: [route('r1'), route('r2'), route('r3'), route('missing')] });
    const appeared = await proxy.next();
    expect([names(appeared), appeared.removedResources]).to.deep.equal([['missing'], []]);
  });

  it('Ack: records the version and sends nothing more', async () => {
    h.cache.setSnapshot(WEB, { [CDS]: [cluster('a')] });
    const [proxy, first] = await synced(CDS);
    await proxy.expectNoResponse();
    expect(h.log.of('sent')).to.have.length(1);
    const status = h.ads.streams()[0]?.types[0];
    expect(status?.ackedVersion).to.equal(first.systemVersionInfo);
  });

  it('Change: only the changed resource is sent; identical content sends nothing', async () => {
    h.cache.setSnapshot(WEB, { [CDS]: [cluster('a'), cluster('b')] });
    const [proxy] = await synced(CDS);
    h.cache.setSnapshot(WEB, { [CDS]: [cluster('a'), cluster('b', 'v2'), cluster('c')] });
    const update = await proxy.next();
    expect(names(update)).to.deep.equal(['b', 'c']);
    expect(update.removedResources).to.deep.equal([]);
    proxy.ack(update);
    h.cache.setSnapshot(WEB, { [CDS]: [cluster('a'), cluster('b', 'v2'), cluster('c')], [LDS]: [] });
    await proxy.expectNoResponse();
  });

  it('Removal: a resource that disappears is sent in removed_resources (wildcard and named)', async () => {
    h.cache.setSnapshot(WEB, { [CDS]: [cluster('a'), cluster('b')], [RDS]: [route('r1'), route('r2')] });
    const [proxy] = await synced(CDS);
    proxy.subscribe(RDS, ['r1']);
    proxy.ack(await proxy.next());
    h.cache.setSnapshot(WEB, { [CDS]: [cluster('a')], [RDS]: [route('r2')] });
    const cds = await proxy.next();
    const rds = await proxy.next();
    expect([cds.typeUrl, names(cds), cds.removedResources]).to.deep.equal([CDS, [], ['b']]);
    expect([rds.typeUrl, names(rds), rds.removedResources]).to.deep.equal([RDS, [], ['r1']]);
  });

  it('Nack: recorded with the version, the last good stays, the rejected resource is not resent until it changes', async () => {
    h.cache.setSnapshot(WEB, { [CDS]: [cluster('a')] });
    const [proxy, good] = await synced(CDS);
    h.cache.setSnapshot(WEB, { [CDS]: [cluster('a', 'bad')] });
    const bad = await proxy.next();
    proxy.nack(bad, 'cluster a: invalid');
    const rejected = await h.log.waitFor('rejected');
    expect(rejected.rejection).to.deep.equal({
      proxyKey: WEB,
      typeUrl: CDS,
      version: bad.systemVersionInfo,
      code: 3,
      message: 'cluster a: invalid',
      at: NOW,
    });
    await proxy.expectNoResponse();
    const state = h.ads.streams()[0]?.types[0];
    expect([state?.ackedVersion, state?.rejectedVersion]).to.deep.equal([
      good.systemVersionInfo,
      bad.systemVersionInfo,
    ]);
    expect(h.ads.standingRejections()).to.have.length(1);

    h.cache.setSnapshot(WEB, { [CDS]: [cluster('a', 'fixed'), cluster('b')] });
    const fixed = await proxy.next();
    expect(names(fixed)).to.deep.equal(['a', 'b']);
    proxy.ack(fixed);
    await h.log.waitFor('acked', (e) => e.version === fixed.systemVersionInfo);
    expect(h.ads.standingRejections()).to.deep.equal([]);
  });

  it('Reconnect: initial_resource_versions: only what differs is sent, and what is gone is removed', async () => {
    h.cache.setSnapshot(WEB, { [CDS]: [cluster('a'), cluster('b'), cluster('c')] });
    const [first, response] = await synced(CDS);
    first.close();
    await h.log.waitFor('disconnected');
    h.cache.setSnapshot(WEB, { [CDS]: [cluster('a'), cluster('b', 'v2'), cluster('d')] });
    const proxy = connect();
    proxy.subscribe(CDS, [], versionsOf(response));
    const resync = await proxy.next();
    expect(names(resync)).to.deep.equal(['b', 'd']);
    expect(resync.removedResources).to.deep.equal(['c']);
  });

  it('Reconnect: a proxy holding every current version gets no resources, only an empty first wildcard response', async () => {
    h.cache.setSnapshot(WEB, { [CDS]: [cluster('a')] });
    const [first, response] = await synced(CDS);
    first.close();
    const proxy = connect();
    proxy.subscribe(CDS, [], versionsOf(response));
    const resync = await proxy.next();
    expect([resync.resources.length, resync.removedResources.length]).to.deep.equal([0, 0]);
    await proxy.expectNoResponse();
  });

  it('Unsubscribe: an unsubscribed resource gets no more updates; resubscribing sends it again', async () => {
    h.cache.setSnapshot(WEB, { [RDS]: [route('r1'), route('r2')] });
    const [proxy] = await synced(RDS, ['r1', 'r2']);
    proxy.unsubscribe(RDS, ['r1']);
    await proxy.expectNoResponse();
    h.cache.setSnapshot(WEB, { [RDS]: [route('r1', 'v2'), route('r2')] });
    await proxy.expectNoResponse();
    h.cache.setSnapshot(WEB, { [RDS]: [route('r1', 'v2'), route('r2', 'v2')] });
    expect(names(await proxy.next())).to.deep.equal(['r2']);
    proxy.subscribe(RDS, ['r1']);
    expect(names(await proxy.next())).to.deep.equal(['r1']);
  });

  it('Unsubscribe `*`: a wildcard subscription stops getting new resources', async () => {
    h.cache.setSnapshot(WEB, { [LDS]: [listener('l1')] });
    const [proxy] = await synced(LDS);
    proxy.unsubscribe(LDS, ['*']);
    await proxy.expectNoResponse();
    h.cache.setSnapshot(WEB, { [LDS]: [listener('l1'), listener('l2')] });
    await proxy.expectNoResponse();
  });

  it('Stale nonce: an answer to an unknown nonce is ignored for ACK/NACK, its subscription still applies', async () => {
    h.cache.setSnapshot(WEB, { [RDS]: [route('r1'), route('r2')] });
    const [proxy] = await synced(RDS, ['r1']);
    proxy.send({ typeUrl: RDS, responseNonce: 'no-such-nonce', resourceNamesSubscribe: ['r2'] });
    expect(names(await proxy.next())).to.deep.equal(['r2']);
    expect(h.log.of('ignored').map((e) => e.reason)).to.deep.equal(['stale-nonce']);
  });

  it('Unauthenticated: the same authenticator refuses a delta stream', async () => {
    h.cache.setSnapshot(WEB, { [CDS]: [cluster('a')] });
    const proxy = connect('no-namespace');
    proxy.subscribe(CDS);
    const failure = await proxy.next().then(
      () => 'answered',
      (error: Error) => error.message,
    );
    expect(failure).to.match(/stream ended: 16 /);
    expect(h.log.of('refused')).to.have.length(1);
  });

  it('TwoProxies: each delta stream gets only its own proxy key snapshot', async () => {
    h.cache.setSnapshot(WEB, { [CDS]: [cluster('web-only')] });
    h.cache.setSnapshot('shop/api', { [CDS]: [cluster('api-only')] });
    const web = connect(WEB);
    const api = connect('shop/api');
    web.subscribe(CDS);
    api.subscribe(CDS);
    expect(names(await web.next())).to.deep.equal(['web-only']);
    expect(names(await api.next())).to.deep.equal(['api-only']);
    h.cache.setSnapshot('shop/api', { [CDS]: [cluster('api-only', 'v2')] });
    expect(names(await api.next())).to.deep.equal(['api-only']);
    await web.expectNoResponse();
  });

  it('Shutdown: closing the server ends open delta streams with OK', async () => {
    h.cache.setSnapshot(WEB, { [CDS]: [cluster('a')] });
    const [proxy] = await synced(CDS);
    await h.server.close(500);
    const ended = await proxy.next().then(
      () => 'answered',
      (error: Error) => error.message,
    );
    expect(ended).to.match(/stream (already )?ended: 0/);
    expect(h.ads.streamCount()).to.equal(0);
  });
});
