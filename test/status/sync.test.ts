/**
 * The replica side of Programmed: the publish ledger, the sync tracker fed by xDS events, and the per-policy summary
 * (which proxies ACKed, rejected or are pending on the configuration carrying a policy generation).
 */
import { expect } from 'chai';
import { PublishLedger, publishRecordFrom } from '../../src/status/ledger.js';
import { summarizeReplica } from '../../src/status/replica-summary.js';
import type { PolicySync } from '../../src/status/replica-summary.js';
import { SyncTracker } from '../../src/status/sync-state.js';
import { SnapshotCache } from '../../src/xds/cache/cache.js';
import type { ProxyIR } from '../../src/ir/index.js';
import { CDS, EDS, LDS, published, stream, validStatus } from './fixtures.js';

const RANGE = { min: '1.36', max: '1.40' };

function setup(): {
  ledger: PublishLedger;
  tracker: SyncTracker;
  summary: () => PolicySync[];
  changes: () => number;
} {
  const ledger = new PublishLedger();
  let changes = 0;
  const tracker = new SyncTracker(() => {
    changes += 1;
  });
  return {
    ledger,
    tracker,
    summary: () => summarizeReplica(ledger, tracker.proxies(), { envoyRange: RANGE }),
    changes: () => changes,
  };
}

function sent(tracker: SyncTracker, s: ReturnType<typeof stream>, typeUrl: string, version: string): void {
  tracker
    .events()
    .onSent(s, { typeUrl, version, nonce: 'n', resourceCount: 1, bytes: 1, knownRejected: false });
}

/** Sends and ACKs Listener and Cluster versions. */
function ackAll(tracker: SyncTracker, s: ReturnType<typeof stream>, lds: string, cds = 'c1'): void {
  sent(tracker, s, LDS, lds);
  sent(tracker, s, CDS, cds);
  tracker.events().onAcked(s, LDS, lds);
  tracker.events().onAcked(s, CDS, cds);
}

describe('proxy sync state and the replica summary', () => {
  it('counts a proxy as pending until it ACKed every policy-carrying type, then as acked', () => {
    const { ledger, tracker, summary } = setup();
    ledger.record(published('shop/orders', { 'shop/orders-api': 3 }, { lds: 'l1' }));
    const s = stream('shop/orders', 'shop/orders-abc');
    tracker.events().onConnected(s);
    expect(summary()).to.deep.include.members([]);
    expect(summary()[0]).to.include({
      policy: 'shop/orders-api',
      generation: 3,
      connected: 1,
      acked: 0,
      rejected: 0,
    });
    sent(tracker, s, LDS, 'l1');
    sent(tracker, s, CDS, 'c1');
    tracker.events().onAcked(s, LDS, 'l1');
    expect(summary()[0]).to.include({ acked: 0 });
    tracker.events().onAcked(s, CDS, 'c1');
    expect(summary()[0]).to.include({ connected: 1, acked: 1 });
  });

  it('ignores endpoint (EDS) versions: an endpoint change does not make a policy pending', () => {
    const { ledger, tracker, summary } = setup();
    ledger.record(published('shop/orders', { 'shop/orders-api': 1 }, { lds: 'l1' }));
    const s = stream('shop/orders', 'shop/orders-abc');
    tracker.events().onConnected(s);
    ackAll(tracker, s, 'l1');
    sent(tracker, s, EDS, 'e2');
    expect(summary()[0]).to.include({ acked: 1 });
  });

  it('keeps a proxy acked when a new generation leaves its configuration unchanged (same content version)', () => {
    const { ledger, tracker, summary } = setup();
    ledger.record(published('shop/orders', { 'shop/orders-api': 1 }, { lds: 'l1' }));
    const s = stream('shop/orders', 'shop/orders-abc');
    tracker.events().onConnected(s);
    ackAll(tracker, s, 'l1');
    ledger.record(published('shop/orders', { 'shop/orders-api': 2 }, { lds: 'l1' }));
    expect(summary()[0]).to.include({ generation: 2, acked: 1 });
  });

  it('makes a proxy pending on a new generation with new content, until it ACKs that version', () => {
    const { ledger, tracker, summary } = setup();
    ledger.record(published('shop/orders', { 'shop/orders-api': 1 }, { lds: 'l1' }));
    const s = stream('shop/orders', 'shop/orders-abc');
    tracker.events().onConnected(s);
    ackAll(tracker, s, 'l1');
    ledger.record(published('shop/orders', { 'shop/orders-api': 2 }, { lds: 'l2' }));
    sent(tracker, s, LDS, 'l2');
    expect(summary()[0]).to.include({ generation: 2, acked: 0, rejected: 0 });
    tracker.events().onAcked(s, LDS, 'l2');
    expect(summary()[0]).to.include({ generation: 2, acked: 1 });
  });

  it('reports a NACK of the version carrying the generation, with the proxy name and the exact text', () => {
    const { ledger, tracker, summary } = setup();
    ledger.record(published('shop/orders', { 'shop/orders-api': 1 }, { lds: 'l1' }));
    const s = stream('shop/orders', 'shop/orders-abc');
    tracker.events().onConnected(s);
    ackAll(tracker, s, 'l1');
    ledger.record(published('shop/orders', { 'shop/orders-api': 2 }, { lds: 'l2' }));
    sent(tracker, s, LDS, 'l2');
    const text = 'Error adding/updating listener(s) inbound: unknown filter "x"';
    tracker
      .events()
      .onRejected(
        { proxyKey: 'shop/orders', typeUrl: LDS, version: 'l2', message: text, code: 3, at: new Date(0) },
        s,
      );
    const [entry] = summary();
    expect(entry).to.include({ generation: 2, acked: 0, rejected: 1 });
    expect(entry?.rejections).to.deep.equal([
      { proxy: 'shop/orders-abc', typeUrl: LDS, version: 'l2', message: text },
    ]);
    // A fixed version is sent: pending again; its ACK clears the rejection.
    ledger.record(published('shop/orders', { 'shop/orders-api': 3 }, { lds: 'l3' }));
    sent(tracker, s, LDS, 'l3');
    expect(summary()[0]).to.include({ generation: 3, rejected: 0, acked: 0 });
    tracker.events().onAcked(s, LDS, 'l3');
    expect(summary()[0]).to.include({ generation: 3, rejected: 0, acked: 1 });
  });

  it('redacts key material quoted in a NACK', () => {
    const { ledger, tracker, summary } = setup();
    ledger.record(published('shop/orders', { 'shop/orders-api': 1 }, { lds: 'l1' }));
    const s = stream('shop/orders', 'shop/orders-abc');
    tracker.events().onConnected(s);
    sent(tracker, s, LDS, 'l1');
    const key = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----';
    const message = `bad listener: inline_string: "hunter2secret" private_key { ${key} }`;
    tracker
      .events()
      .onRejected(
        { proxyKey: 'shop/orders', typeUrl: LDS, version: 'l1', message, code: 3, at: new Date(0) },
        s,
      );
    const text = summary()[0]?.rejections[0]?.message ?? '';
    expect(text).to.contain('bad listener');
    expect(text).not.to.contain('MIIEvQ');
    expect(text).not.to.contain('hunter2secret');
  });

  it('forgets a disconnected proxy and reports unsupported Envoy versions', () => {
    const { ledger, tracker, summary, changes } = setup();
    ledger.record(published('shop/orders', { 'shop/orders-api': 1 }, { lds: 'l1' }));
    const old = stream('shop/orders', 'shop/orders-old', 'envoy/1.20.0');
    const fine = stream('shop/orders', 'shop/orders-new');
    tracker.events().onConnected(old);
    tracker.events().onConnected(fine);
    expect(summary()[0]).to.include({ connected: 2, unsupported: 1 });
    expect(summary()[0]?.unsupportedSamples).to.deep.equal([{ proxy: 'shop/orders-old', version: '1.20.0' }]);
    tracker.events().onDisconnected(old);
    expect(summary()[0]).to.include({ connected: 1, unsupported: 0 });
    expect(changes()).to.equal(3);
  });

  it('builds the publish record from the cache, leaving out failed builds', () => {
    const cache = new SnapshotCache();
    cache.setSnapshot('shop/orders', {});
    cache.setSnapshot('shop/cart', {});
    const proxy = (key: string, policies: string[]): ProxyIR =>
      ({
        key,
        policies,
        ports: [{ port: 8080, policies, failClosed: [{ policy: 'shop/broken', reason: 'Invalid' }] }],
      }) as unknown as ProxyIR;
    const record = publishRecordFrom({
      proxies: [proxy('shop/orders', ['shop/orders-api']), proxy('shop/cart', [])],
      statuses: [validStatus('shop/orders-api', 4, 1), validStatus('shop/broken', 2, 1)],
      failed: [{ proxyKey: 'shop/cart' }],
      removed: ['shop/gone'],
      cache,
    });
    expect(record.removed).to.deep.equal(['shop/gone']);
    expect(record.published.map((p) => p.proxyKey)).to.deep.equal(['shop/orders']);
    expect([...(record.published[0]?.policies ?? [])]).to.deep.equal([
      ['shop/broken', 2],
      ['shop/orders-api', 4],
    ]);
  });
});
