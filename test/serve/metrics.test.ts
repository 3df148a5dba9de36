import { expect } from 'chai';
import { Registry } from 'prom-client';
import { ServeMetrics } from '../../src/serve/metrics.js';
import type { BuildReport } from '../../src/serve/runner.js';
import type { SentResponse, StreamInfo } from '../../src/xds/server/types.js';
import { CDS, FakeTimers, LDS } from './fixtures.js';

const stream: StreamInfo = {
  streamId: 1,
  proxyKey: 'shop/orders',
  nodeId: 'n',
  peer: 'p',
  userAgent: 'envoy/1.36.2',
};

function build(at: Date, changeDetectedAt: Date | undefined, version: string): BuildReport {
  return {
    status: { at, ok: true, outcome: 'ok', problems: [], proxies: 1, durationMs: 3 },
    changeDetectedAt,
    changed: [{ proxyKey: 'shop/orders', typeUrl: LDS, version }],
    removed: [],
  };
}

function sent(typeUrl: string, version: string): SentResponse {
  return { typeUrl, version, nonce: '1', resourceCount: 1, bytes: 10, knownRejected: false };
}

describe('aspen serve: push duration metric', () => {
  it('observes publish → first response carrying the version written, once, by type', async () => {
    const clock = new FakeTimers();
    const registry = new Registry();
    const metrics = new ServeMetrics(registry, clock);
    const t0 = clock.now();
    metrics.recordBuild(build(t0, t0, 'v2'));
    clock.advance(30);
    metrics.events.onSent?.(stream, sent(LDS, 'v1'));
    metrics.events.onSent?.(stream, sent(CDS, 'v2'));
    metrics.events.onSent?.({ ...stream, proxyKey: 'shop/payments' }, sent(LDS, 'v2'));
    metrics.events.onSent?.(stream, sent(LDS, 'v2'));
    clock.advance(1000);
    metrics.events.onSent?.({ ...stream, streamId: 2 }, sent(LDS, 'v2'));
    const text = await registry.metrics();
    expect(text).to.include('aspen_xds_push_duration_seconds_count{type="Listener"} 1');
    expect(text).to.include('aspen_xds_push_duration_seconds_sum{type="Listener"} 0.03');
    expect(text).to.include('aspen_xds_push_duration_seconds_bucket{le="0.025",type="Listener"} 0');
    expect(text).to.include('aspen_xds_push_duration_seconds_bucket{le="0.05",type="Listener"} 1');
    expect(text).not.to.include('aspen_xds_push_duration_seconds_count{type="Cluster"}');
  });

  it('does not time the startup build, nor a version superseded or removed before it was sent', async () => {
    const clock = new FakeTimers();
    const registry = new Registry();
    const metrics = new ServeMetrics(registry, clock);
    metrics.recordBuild(build(clock.now(), undefined, 'v1'));
    metrics.events.onSent?.(stream, sent(LDS, 'v1'));
    metrics.recordBuild(build(clock.now(), clock.now(), 'v2'));
    metrics.recordBuild(build(clock.now(), clock.now(), 'v3'));
    metrics.events.onSent?.(stream, sent(LDS, 'v2'));
    metrics.recordBuild({ ...build(clock.now(), clock.now(), 'v4'), changed: [], removed: ['shop/orders'] });
    metrics.events.onSent?.(stream, sent(LDS, 'v3'));
    const text = await registry.metrics();
    expect(text).not.to.include('aspen_xds_push_duration_seconds_count{type="Listener"}');
  });
});
