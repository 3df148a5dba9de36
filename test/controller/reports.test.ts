/**
 * Sync reports against the fake API server through the real client: each replica's coalesced, heartbeated ConfigMap;
 * the leader's list/watch of every report; expiry (and deletion) of a vanished replica's report; the size bound.
 */
import { expect } from 'chai';
import {
  MAX_REPORT_BYTES,
  REPORT_KEY,
  decodeReport,
  encodeReport,
  reportName,
} from '../../src/controller/reports-format.js';
import type { SyncReport } from '../../src/controller/reports-format.js';
import { SyncReportCollector, SyncReportPublisher } from '../../src/controller/reports.js';
import type { PolicySync } from '../../src/status/replica-summary.js';
import { silentLogger } from '../../src/xds/server/types.js';
import { FakeTimers } from '../serve/fixtures.js';
import { startFakeApiServer } from '../support/fake-apiserver/index.js';
import type { FakeApiServer } from '../support/fake-apiserver/index.js';

const NS = 'aspen-system';

function entry(policy: string, acked: number): PolicySync {
  return {
    policy,
    generation: 1,
    connected: 2,
    acked,
    rejected: 0,
    rejections: [],
    unsupported: 0,
    unsupportedSamples: [],
  };
}

/** Resolves once `predicate` holds, checking after each turn of the event loop (bounded: fails after 5 s). */
async function eventually(predicate: () => boolean): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not reached');
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('sync reports (fake API server)', () => {
  let api: FakeApiServer;
  let time: FakeTimers;

  beforeEach(async () => {
    api = await startFakeApiServer();
    time = new FakeTimers();
  });

  afterEach(async () => {
    await api.close();
  });

  function publisher(
    replicaId: string,
    summary: { current: PolicySync[] },
    timers: FakeTimers = time,
  ): SyncReportPublisher {
    return new SyncReportPublisher({
      kubeConfig: api.kubeConfig,
      namespace: NS,
      replicaId,
      summarize: () => summary.current,
      clock: time,
      timers,
      logger: silentLogger,
    });
  }

  function writes(): number {
    return api.requests.filter((r) => r.path.includes('/configmaps') && ['PUT', 'POST'].includes(r.method))
      .length;
  }

  function stored(replicaId: string): SyncReport | undefined {
    const cm = api.get('v1', 'ConfigMap', NS, reportName(replicaId)) as
      { data?: Record<string, string> } | undefined;
    return decodeReport(cm?.data?.[REPORT_KEY]);
  }

  it('writes the report at once, then coalesces changes to one write per second, and heartbeats', async () => {
    const summary = { current: [entry('shop/a', 1)] };
    const p = publisher('aspen-0', summary);
    p.start();
    time.advance(0);
    await p.flush();
    expect(stored('aspen-0')?.policies).to.deep.equal([entry('shop/a', 1)]);
    const cm = api.get('v1', 'ConfigMap', NS, 'aspen-sync-aspen-0') as {
      metadata: { labels: Record<string, string> };
    };
    expect(cm.metadata.labels).to.deep.equal({ 'aspen.dev/sync-report': 'true' });
    const before = writes();
    summary.current = [entry('shop/a', 2)];
    for (let i = 0; i < 5; i += 1) p.changed();
    time.advance(999);
    await p.settled();
    expect(writes()).to.equal(before);
    time.advance(1);
    await p.settled();
    expect(writes()).to.equal(before + 1);
    expect(stored('aspen-0')?.policies[0]?.acked).to.equal(2);
    time.advance(9_999);
    await p.settled();
    expect(writes()).to.equal(before + 1);
    time.advance(1);
    await p.settled();
    expect(writes()).to.equal(before + 2); // the heartbeat, unchanged content
    await p.stop();
    expect(stored('aspen-0')).to.equal(undefined);
  });

  it('lets the leader read every live report and expire a vanished replica’s after 3× its heartbeat', async () => {
    const a = publisher('aspen-0', { current: [entry('shop/a', 1)] });
    // aspen-1's timers never run: after its first report it has vanished (no heartbeat, no graceful delete).
    const b = publisher('aspen-1', { current: [entry('shop/a', 2)] }, new FakeTimers());
    a.start();
    b.start();
    time.advance(0);
    await Promise.all([a.flush(), b.flush()]);
    let changes = 0;
    const collector = new SyncReportCollector({
      kubeConfig: api.kubeConfig,
      namespace: NS,
      clock: time,
      timers: time,
      logger: silentLogger,
      onChange: () => {
        changes += 1;
      },
      mayDelete: () => true,
      expiryCheckMs: 60_000,
    });
    await collector.start();
    try {
      await eventually(() => collector.live().length === 2);
      expect(collector.live().map((r) => r.replica)).to.deep.equal(['aspen-0', 'aspen-1']);
      for (let i = 0; i < 3; i += 1) {
        time.advance(10_000);
        await a.flush();
      }
      time.advance(1);
      await eventually(() => collector.live().length === 1);
      expect(await collector.expire()).to.deep.equal(['aspen-sync-aspen-1']);
      expect(collector.live().map((r) => r.replica)).to.deep.equal(['aspen-0']);
      expect(api.get('v1', 'ConfigMap', NS, 'aspen-sync-aspen-1')).to.equal(undefined);
      expect(changes).to.be.greaterThan(0);
    } finally {
      await collector.stop();
      await a.stop();
    }
  });

  it('keeps counts and drops samples when a report would exceed its size budget', () => {
    const big: PolicySync[] = Array.from({ length: 50 }, (_, i) => ({
      ...entry(`shop/p${i}`, 0),
      rejected: 2,
      rejections: [1, 2, 3].map((n) => ({
        proxy: `shop/pod-${n}`,
        typeUrl: 'L',
        version: 'v',
        message: 'x'.repeat(2000),
      })),
    }));
    const report = { replica: 'r', reportedAt: '', intervalMs: 10_000, policies: big };
    const text = encodeReport(report, 20_000);
    expect(Buffer.byteLength(text)).to.be.at.most(20_000);
    const decoded = decodeReport(text);
    expect(decoded?.policies.map((p) => p.rejected)).to.deep.equal(big.map(() => 2));
    expect(Buffer.byteLength(encodeReport(report))).to.be.at.most(MAX_REPORT_BYTES);
    expect(reportName('Aspen_Controller-0')).to.equal('aspen-sync-aspen-controller-0');
  });
});
