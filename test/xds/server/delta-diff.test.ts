// Differential test of the incremental (delta) ADS protocol: the same snapshots and the same request sequence go to
// aspen's delta server and to go-control-plane's (v0.14.0, tools/cmd/xds-peer), and the responses must be equivalent:
// the same resources (names and decoded contents), the same removed names, and the same silences (after an ACK, a
// NACK, an unchanged snapshot). Nonces and version strings are opaque and differ by design: they are not compared,
// except that a reconnecting client reports the per-resource versions the same server gave it.
//
// Where go-control-plane departs from the xDS spec the difference is asserted explicitly on both sides (so a fix
// upstream shows up here) and aspen's behaviour is the one the spec asks for.
import { expect } from 'chai';
import type { SnapshotInput } from '../../../src/xds/cache/index.js';
import type { DeltaDiscoveryResponse } from '../../../src/gen/envoy/service/discovery/v3/discovery.js';
import { versionsOf } from './delta-client.js';
import type { ScriptedDeltaClient } from './delta-client.js';
import { Driver, brief } from './delta-diff.js';
import type { Observation, Scenario } from './delta-diff.js';
import { XdsPeer } from './delta-peer.js';
import { CDS, LDS, RDS, cluster, listener, route, startHarness } from './harness.js';
import type { Harness } from './harness.js';

describe('xds/server: delta, differential against go-control-plane v0.14.0', function () {
  let aspen: Harness;
  let peer: XdsPeer;
  let scenarioId = 0;

  before(async function () {
    this.timeout(300_000); // the first build downloads Go modules and compiles go-control-plane
    peer = await XdsPeer.start();
    aspen = await startHarness();
  });

  after(async () => {
    await aspen.close();
    await peer.stop();
  });

  /** Runs `scenario` on both servers (each under a fresh proxy key) and returns both observation lists. */
  async function both(scenario: Scenario): Promise<{ aspen: Observation[]; gcp: Observation[] }> {
    scenarioId += 1;
    const key = `diff/scenario-${scenarioId}`;
    const setAspen = (proxyKey: string, input: SnapshotInput): Promise<void> => {
      aspen.cache.setSnapshot(proxyKey, input);
      return Promise.resolve();
    };
    const ours = new Driver(aspen.address, setAspen, key);
    const theirs = new Driver(peer.address, (k, input) => peer.setSnapshot(k, input), key);
    try {
      await scenario(ours);
      await scenario(theirs);
    } finally {
      ours.close();
      theirs.close();
    }
    return { aspen: ours.seen, gcp: theirs.seen };
  }

  it('wildcard: everything, nothing after ACK, only the changed and added, then the removed', async function () {
    this.timeout(10_000);
    const seen = await both(async (d) => {
      await d.set({ [CDS]: [cluster('a'), cluster('b')] });
      const proxy = d.connect();
      proxy.subscribe(CDS);
      proxy.ack(await d.got(proxy));
      await d.quiet(proxy);
      await d.set({ [CDS]: [cluster('a'), cluster('b', 'v2'), cluster('c')] });
      proxy.ack(await d.got(proxy));
      await d.quiet(proxy);
      await d.set({ [CDS]: [cluster('a'), cluster('c')] });
      proxy.ack(await d.got(proxy));
      await d.set({ [CDS]: [cluster('a'), cluster('c')], [LDS]: [listener('l1')] });
      await d.quiet(proxy);
    });
    expect(seen.aspen).to.deep.equal(seen.gcp);
    expect(seen.aspen.map(brief)).to.deep.equal([
      'Cluster [a,b] removed []',
      'nothing',
      'Cluster [b,c] removed []',
      'nothing',
      'Cluster [] removed [b]',
      'nothing',
    ]);
  });

  it('wildcard on an empty type: one empty response, so the proxy can finish initialising', async () => {
    const seen = await both(async (d) => {
      await d.set({ [CDS]: [cluster('a')] });
      const proxy = d.connect();
      proxy.subscribe(LDS);
      proxy.ack(await d.got(proxy));
      await d.quiet(proxy);
    });
    expect(seen.aspen).to.deep.equal(seen.gcp);
    expect(seen.aspen.map(brief)).to.deep.equal(['Listener [] removed []', 'nothing']);
  });

  it('named: only subscribed names, changes of unsubscribed ones ignored, subscribe and unsubscribe', async function () {
    this.timeout(10_000);
    const seen = await both(async (d) => {
      await d.set({ [RDS]: [route('r1'), route('r2'), route('r3')] });
      const proxy = d.connect();
      proxy.subscribe(RDS, ['r1', 'r2']);
      proxy.ack(await d.got(proxy));
      await d.set({ [RDS]: [route('r1'), route('r2'), route('r3', 'v2')] });
      await d.quiet(proxy);
      await d.set({ [RDS]: [route('r1', 'v2'), route('r2'), route('r3', 'v2')] });
      proxy.ack(await d.got(proxy));
      proxy.subscribe(RDS, ['r3']);
      proxy.ack(await d.got(proxy));
      proxy.unsubscribe(RDS, ['r1']);
      await d.quiet(proxy);
      await d.set({ [RDS]: [route('r1', 'v3'), route('r2'), route('r3', 'v2')] });
      await d.quiet(proxy);
      await d.set({ [RDS]: [route('r1', 'v3'), route('r3', 'v2')] });
      await d.got(proxy);
    });
    expect(seen.aspen).to.deep.equal(seen.gcp);
    expect(seen.aspen.map(brief)).to.deep.equal([
      'RouteConfiguration [r1,r2] removed []',
      'nothing',
      'RouteConfiguration [r1] removed []',
      'RouteConfiguration [r3] removed []',
      'nothing',
      'nothing',
      'RouteConfiguration [] removed [r2]',
    ]);
  });

  it('NACK: the rejected resource is not resent; the next change sends only what changed', async function () {
    this.timeout(10_000);
    const seen = await both(async (d) => {
      await d.set({ [CDS]: [cluster('a')] });
      const proxy = d.connect();
      proxy.subscribe(CDS);
      proxy.ack(await d.got(proxy));
      await d.set({ [CDS]: [cluster('a', 'bad')] });
      proxy.nack(await d.got(proxy), 'cluster a: invalid');
      await d.quiet(proxy);
      await d.set({ [CDS]: [cluster('a', 'bad'), cluster('b')] });
      proxy.ack(await d.got(proxy));
      await d.quiet(proxy);
    });
    expect(seen.aspen).to.deep.equal(seen.gcp);
    expect(seen.aspen.map(brief)).to.deep.equal([
      'Cluster [a] removed []',
      'Cluster [a] removed []',
      'nothing',
      'Cluster [b] removed []',
      'nothing',
    ]);
    // go-control-plane ignores error_detail in delta (no NACK is recorded anywhere; it only avoids a resend because it
    // counts a sent version as the proxy's). aspen records the rejection, as in state of the world.
    const rejections = aspen.log.of('rejected').map((e) => [e.rejection.proxyKey, e.rejection.message]);
    expect(rejections).to.deep.include([`diff/scenario-${scenarioId}`, 'cluster a: invalid']);
  });

  it('reconnect with initial_resource_versions: only what differs is sent, what is gone is removed', async function () {
    this.timeout(10_000);
    const seen = await both(async (d) => {
      await d.set({ [CDS]: [cluster('a'), cluster('b'), cluster('c')] });
      const first = d.connect();
      first.subscribe(CDS);
      const response = await d.got(first);
      first.ack(response);
      await d.quiet(first);
      first.close();
      await d.set({ [CDS]: [cluster('a'), cluster('b', 'v2'), cluster('d')] });
      const second = d.connect();
      second.subscribe(CDS, [], versionsOf(response));
      second.ack(await d.got(second));
      await d.quiet(second);
    });
    expect(seen.aspen).to.deep.equal(seen.gcp);
    expect(seen.aspen.map(brief)).to.deep.equal([
      'Cluster [a,b,c] removed []',
      'nothing',
      'Cluster [b,d] removed [c]',
      'nothing',
    ]);
  });

  it('unsubscribing `*` stops a wildcard subscription', async function () {
    this.timeout(10_000);
    const seen = await both(async (d) => {
      await d.set({ [LDS]: [listener('l1')] });
      const proxy = d.connect();
      proxy.subscribe(LDS, ['*']);
      proxy.ack(await d.got(proxy));
      proxy.unsubscribe(LDS, ['*']);
      await d.quiet(proxy);
      await d.set({ [LDS]: [listener('l1'), listener('l2')] });
      await d.quiet(proxy);
    });
    expect(seen.aspen).to.deep.equal(seen.gcp);
    expect(seen.aspen.map(brief)).to.deep.equal(['Listener [l1] removed []', 'nothing', 'nothing']);
  });

  it('DIFFERENCE: a subscribed name that does not exist is reported in removed_resources by aspen only', async () => {
    const seen = await both(async (d) => {
      await d.set({ [RDS]: [route('r1')] });
      const proxy = d.connect();
      proxy.subscribe(RDS, ['r1', 'missing']);
      proxy.ack(await d.got(proxy));
      await d.quiet(proxy);
      await d.set({ [RDS]: [route('r1'), route('missing')] });
      await d.got(proxy);
    });
    // In the incremental variants the server can say that a subscribed name does not exist, in removed_resources (the
    // xDS conformance cases and xRFC TP3 rely on it), so the proxy need not wait for its initial fetch timeout.
    // go-control-plane's createDeltaResponse only lists names it returned before, so it stays silent about `missing`.
    // go-control-plane#565 asks for exactly this; go-control-plane#488 had stopped it because its own server then
    // forgot the subscription. Envoy keeps a removed name subscribed (waiting for the server), and so does aspen: when
    // the resource appears, both servers send it.
    expect(seen.aspen.map(brief)).to.deep.equal([
      'RouteConfiguration [r1] removed [missing]',
      'nothing',
      'RouteConfiguration [missing] removed []',
    ]);
    expect(seen.gcp.map(brief)).to.deep.equal([
      'RouteConfiguration [r1] removed []',
      'nothing',
      'RouteConfiguration [missing] removed []',
    ]);
  });

  it('unsubscribe then subscribe again: the resource is sent again (go-control-plane#583)', async function () {
    this.timeout(10_000);
    const seen = await both(async (d) => {
      await d.set({ [RDS]: [route('r1'), route('r2')] });
      const proxy = d.connect();
      proxy.subscribe(RDS, ['r1', 'r2']);
      proxy.ack(await d.got(proxy));
      proxy.unsubscribe(RDS, ['r1']);
      await d.quiet(proxy);
      proxy.subscribe(RDS, ['r1']);
      proxy.ack(await d.got(proxy));
      await d.quiet(proxy);
    });
    expect(seen.aspen).to.deep.equal(seen.gcp);
    expect(seen.aspen.map(brief)).to.deep.equal([
      'RouteConfiguration [r1,r2] removed []',
      'nothing',
      'RouteConfiguration [r1] removed []',
      'nothing',
    ]);
  });

  it('`*` plus a name: unsubscribing the name while wildcard reports it again (the client forgets it)', async function () {
    this.timeout(10_000);
    const seen = await both(async (d) => {
      await d.set({ [CDS]: [cluster('a'), cluster('b')] });
      const proxy = d.connect();
      proxy.subscribe(CDS, ['*', 'a']);
      proxy.ack(await d.got(proxy));
      proxy.unsubscribe(CDS, ['a']);
      proxy.ack(await d.got(proxy));
      await d.quiet(proxy);
    });
    expect(seen.aspen).to.deep.equal(seen.gcp);
    expect(seen.aspen.map(brief)).to.deep.equal([
      'Cluster [a,b] removed []',
      'Cluster [a] removed []',
      'nothing',
    ]);
  });

  it('removed, then added back: sent again', async function () {
    this.timeout(10_000);
    const seen = await both(async (d) => {
      await d.set({ [CDS]: [cluster('a'), cluster('b')] });
      const proxy = d.connect();
      proxy.subscribe(CDS);
      proxy.ack(await d.got(proxy));
      await d.set({ [CDS]: [cluster('a')] });
      proxy.ack(await d.got(proxy));
      await d.set({ [CDS]: [cluster('a'), cluster('b')] });
      proxy.ack(await d.got(proxy));
      await d.quiet(proxy);
    });
    expect(seen.aspen).to.deep.equal(seen.gcp);
    expect(seen.aspen.map(brief)).to.deep.equal([
      'Cluster [a,b] removed []',
      'Cluster [] removed [b]',
      'Cluster [b] removed []',
      'nothing',
    ]);
  });

  it('NACK, then reconnect reporting the last good versions: the rejected resource is sent again', async function () {
    this.timeout(10_000);
    const seen = await both(async (d) => {
      await d.set({ [CDS]: [cluster('a'), cluster('b')] });
      const first = d.connect();
      first.subscribe(CDS);
      const good = await d.got(first);
      first.ack(good);
      await d.set({ [CDS]: [cluster('a', 'bad'), cluster('b')] });
      first.nack(await d.got(first), 'cluster a: invalid');
      await d.quiet(first);
      first.close();
      const second = d.connect();
      second.subscribe(CDS, [], versionsOf(good));
      await d.got(second);
    });
    expect(seen.aspen).to.deep.equal(seen.gcp);
    expect(seen.aspen.map(brief)).to.deep.equal([
      'Cluster [a,b] removed []',
      'Cluster [a] removed []',
      'nothing',
      'Cluster [a] removed []',
    ]);
    // aspen alone makes the resend of a known-rejected version visible (go-control-plane has no NACK record).
    const resent = aspen.log.of('sent').filter((e) => e.stream.proxyKey === `diff/scenario-${scenarioId}`);
    expect(resent.map((e) => e.response.knownRejected)).to.deep.equal([false, false, true]);
  });

  it('two types on one stream: one snapshot change gives one response per changed type', async function () {
    this.timeout(10_000);
    const byType = (list: Observation[]): string[] => list.map(brief).sort();
    const seen = await both(async (d) => {
      await d.set({ [CDS]: [cluster('a')], [LDS]: [listener('l1')] });
      const proxy = d.connect();
      proxy.subscribe(CDS);
      proxy.ack(await d.got(proxy));
      proxy.subscribe(LDS);
      proxy.ack(await d.got(proxy));
      await d.set({ [CDS]: [cluster('a', 'v2')], [LDS]: [listener('l1'), listener('l2')] });
      const first = await d.got(proxy);
      proxy.ack(first);
      proxy.ack(await d.got(proxy));
      await d.quiet(proxy);
    });
    expect(byType(seen.aspen)).to.deep.equal(byType(seen.gcp));
    expect(seen.aspen.map(brief)).to.deep.equal([
      'Cluster [a] removed []',
      'Listener [l1] removed []',
      'Cluster [a] removed []',
      'Listener [l2] removed []',
      'nothing',
    ]);
  });

  it('DIFFERENCE: legacy wildcard, then names: the wildcard stays; aspen reports the missing name', async function () {
    this.timeout(10_000);
    const seen = await both(async (d) => {
      const ackAny = (proxy: ScriptedDeltaClient, response: DeltaDiscoveryResponse | undefined): void => {
        if (response !== undefined) proxy.ack(response);
      };
      await d.set({ [LDS]: [listener('l1')] });
      const proxy = d.connect();
      proxy.subscribe(LDS);
      proxy.ack(await d.got(proxy));
      proxy.subscribe(LDS, ['l1']);
      ackAny(proxy, await d.quiet(proxy));
      proxy.subscribe(LDS, ['l9']);
      ackAny(proxy, await d.quiet(proxy));
      await d.set({ [LDS]: [listener('l1'), listener('l2')] });
      ackAny(proxy, await d.quiet(proxy));
    });
    // Both keep the wildcard after the first names (the spec's example; legacy wildcard only ends). aspen says that
    // `l9` does not exist (as above). go-control-plane answers every nonce-less request of a wildcard subscription
    // with a response, empty here: redundant but harmless.
    expect(seen.aspen.map(brief)).to.deep.equal([
      'Listener [l1] removed []',
      'nothing',
      'Listener [] removed [l9]',
      'Listener [l2] removed []',
    ]);
    expect(seen.gcp.map(brief)).to.deep.equal([
      'Listener [l1] removed []',
      'Listener [] removed []',
      'Listener [] removed []',
      'Listener [l2] removed []',
    ]);
  });
});
