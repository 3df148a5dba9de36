// The global rate-limit service over a real mTLS gRPC connection, with the in-memory backend and an injected clock:
// exact admissions under concurrent calls from several sidecars, the limit and reset reported for the response
// headers, and hostile or foreign descriptors refused before any counter moves.
import { status as GrpcStatus } from '@grpc/grpc-js';
import type { ServiceError } from '@grpc/grpc-js';
import { expect } from 'chai';
import { capacity, take } from '../../src/dataplane/ratelimit/bucket.js';
import type { BucketState } from '../../src/dataplane/ratelimit/bucket.js';
import {
  RateLimitResponse_Code,
  RateLimitResponse_RateLimit_Unit,
} from '../../src/gen/envoy/service/ratelimit/v3/rls.js';
import type {
  RateLimitRequest,
  RateLimitResponse,
  RateLimitServiceClient,
} from '../../src/gen/envoy/service/ratelimit/v3/rls.js';
import { admitted, descriptor, limitsWorld, rlRequest, shouldRateLimit } from './rls-helpers.js';
import { metricValue, testDataplane } from './fixtures.js';
import type { TestDataplane } from './fixtures.js';

describe('dataplane: token bucket', () => {
  it('admits requests + burst from a fresh bucket, then exactly requests per interval, never above the maximum', () => {
    const spec = { requests: 10, intervalMs: 1000, burst: 5 };
    let state: BucketState | undefined;
    const run = (now: number, n: number): number => {
      let ok = 0;
      for (let i = 0; i < n; i++) {
        const next = take(spec, state, 1, now);
        state = next.state;
        if (next.result.allowed) ok++;
      }
      return ok;
    };
    expect(run(0, 100)).to.equal(15);
    expect(run(999, 100)).to.equal(0);
    expect(run(1000, 100)).to.equal(10);
    expect(run(3500, 100)).to.equal(15);
    expect(capacity(spec)).to.equal(15);
  });
});

describe('dataplane: global rate limits (memory backend, real gRPC)', () => {
  let dp: TestDataplane;

  beforeEach(async () => {
    dp = await testDataplane();
    dp.load(limitsWorld().build());
  });

  afterEach(async () => {
    await dp.close();
  });

  it('admits exactly burst + requests, then requests per window, under concurrent calls from several sidecars', async () => {
    const sidecars = await Promise.all(['a', 'b', 'c', 'd'].map((sa) => dp.as('shop', sa)));
    const burst = async (perSidecar: number): Promise<number> => {
      const calls = sidecars.flatMap((s) =>
        Array.from({ length: perSidecar }, () =>
          shouldRateLimit(s.rls, rlRequest(descriptor('shop/p/per-tenant', 't1'))),
        ),
      );
      return (await Promise.all(calls)).filter(admitted).length;
    };
    expect(await burst(10)).to.equal(15);
    dp.clock.advance(999);
    expect(await burst(5)).to.equal(0);
    dp.clock.advance(1);
    expect(await burst(10)).to.equal(10);
    dp.clock.advance(1000);
    expect(await burst(10)).to.equal(10);
    const other = await shouldRateLimit(sidecars[0]!.rls, rlRequest(descriptor('shop/p/per-tenant', 't2')));
    expect(admitted(other)).to.equal(true);
    expect(
      await metricValue(dp.registry, 'aspen_dataplane_rate_limit_decisions_total', {
        rule: 'shop/p/per-tenant',
        result: 'ok',
      }),
    ).to.equal(36);
  });

  it('reports the limit, what is left and when it resets, for x-ratelimit-* and retry-after', async () => {
    const { rls } = await dp.as('shop');
    dp.clock.advance(0);
    const first = (await shouldRateLimit(rls, rlRequest(descriptor('shop/p/shared')))) as RateLimitResponse;
    const [status] = first.statuses;
    expect(status).to.deep.include({ code: RateLimitResponse_Code.OK, limitRemaining: 2 });
    expect(status?.currentLimit).to.deep.include({
      requestsPerUnit: 3,
      unit: RateLimitResponse_RateLimit_Unit.MINUTE,
      unitMultiplier: 1,
    });
    expect(status?.durationUntilReset).to.deep.include({ seconds: 60, nanos: 0 });
    await shouldRateLimit(rls, rlRequest(descriptor('shop/p/shared')));
    await shouldRateLimit(rls, rlRequest(descriptor('shop/p/shared')));
    dp.clock.advance(15_500);
    const over = (await shouldRateLimit(rls, rlRequest(descriptor('shop/p/shared')))) as RateLimitResponse;
    expect(over.overallCode).to.equal(RateLimitResponse_Code.OVER_LIMIT);
    const [limited] = over.statuses;
    expect(limited).to.deep.include({ limitRemaining: 0 });
    expect(limited?.durationUntilReset).to.deep.include({ seconds: 44, nanos: 500_000_000 });
    expect(over.dynamicMetadata).to.deep.equal({ policy: 'shop/p', rule: 'shop/p/shared' });
  });

  it('is over limit when any one descriptor of a request is', async () => {
    const { rls } = await dp.as('shop');
    for (let i = 0; i < 3; i++) await shouldRateLimit(rls, rlRequest(descriptor('shop/p/shared')));
    const answer = (await shouldRateLimit(
      rls,
      rlRequest(descriptor('shop/p/per-tenant', 't'), descriptor('shop/p/shared')),
    )) as RateLimitResponse;
    expect(answer.overallCode).to.equal(RateLimitResponse_Code.OVER_LIMIT);
    expect(answer.statuses.map((s) => s.code)).to.deep.equal([
      RateLimitResponse_Code.OK,
      RateLimitResponse_Code.OVER_LIMIT,
    ]);
  });

  it('refuses hostile, unknown and foreign descriptors with INVALID_ARGUMENT, counting nothing', async () => {
    const { rls } = await dp.as('shop');
    const bank = await dp.as('bank');
    const many = rlRequest(...Array.from({ length: 65 }, () => descriptor('shop/p/per-tenant', 'x')));
    const huge = rlRequest(descriptor('shop/p/per-tenant', 'x'.repeat(1025)));
    const extra = rlRequest(descriptor('shop/p/per-tenant', 'x'));
    extra.descriptors[0]!.entries.push({ ...extra.descriptors[0]!.entries[0]!, key: 'extra' });
    const override = rlRequest(descriptor('shop/p/per-tenant', 'x'));
    override.descriptors[0]!.limit = {
      $type: 'envoy.extensions.common.ratelimit.v3.RateLimitDescriptor.RateLimitOverride',
      requestsPerUnit: 1_000_000,
      unit: 1,
      unitMultiplier: 1,
    };
    const hits = { ...rlRequest(descriptor('shop/p/per-tenant', 'x')), hitsAddend: 1_000_000 };
    const domain = { ...rlRequest(descriptor('shop/p/per-tenant', 'x')), domain: 'other' };
    const cases: [string, RateLimitServiceClient, RateLimitRequest][] = [
      ['65 descriptors', rls, many],
      ['a 1025-byte value', rls, huge],
      ['4 entries', rls, extra],
      ['a limit override', rls, override],
      ['a huge hits_addend', rls, hits],
      ['another domain', rls, domain],
      ['an unknown rule', rls, rlRequest(descriptor('shop/p/nope'))],
      ['a Local limit', rls, rlRequest(descriptor('shop/p/local'))],
      ['a rule under another policy', rls, rlRequest(descriptor('shop/p/shared', undefined, 'shop/q'))],
      ["another namespace's limit", bank.rls, rlRequest(descriptor('shop/p/shared'))],
    ];
    for (const [name, client, request] of cases) {
      const answer = await shouldRateLimit(client, request);
      expect((answer as ServiceError).code, name).to.equal(GrpcStatus.INVALID_ARGUMENT);
    }
    const left = (await shouldRateLimit(rls, rlRequest(descriptor('shop/p/shared')))) as RateLimitResponse;
    expect(left.statuses[0]?.limitRemaining).to.equal(2);
    expect(await metricValue(dp.registry, 'aspen_dataplane_rate_limit_refused_requests_total')).to.equal(
      cases.length,
    );
  });
});
