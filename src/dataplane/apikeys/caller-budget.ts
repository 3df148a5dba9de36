/**
 * Keeps the API-key check from being a key oracle: each caller (SPIFFE ID) has a token bucket of failed checks
 * (unknown keys). While it is empty, every check from that caller that presents a key is refused without comparing
 * the key, so guessing gains nothing. Bounded memory: buckets that are full again are dropped.
 */
import type { BucketSpec, BucketState } from '../ratelimit/bucket.js';
import { take, ttlMs } from '../ratelimit/bucket.js';

/** Default budget: 20 failed checks per second per caller, 100 at once. */
export const DEFAULT_FAILURE_BUDGET: BucketSpec = { requests: 20, intervalMs: 1000, burst: 80 };

/** Callers tracked before full buckets are dropped. */
const MAX_CALLERS = 10_000;

/** Failed-check budgets by caller. */
export class CallerBudget {
  private readonly spec: BucketSpec;
  private readonly buckets = new Map<string, { state: BucketState; expiresAt: number }>();

  /** Budgets of `spec` each. */
  constructor(spec: BucketSpec = DEFAULT_FAILURE_BUDGET) {
    this.spec = spec;
  }

  /** Whether the caller still has budget at `nowMs` (nothing is taken). */
  allows(caller: string, nowMs: number): boolean {
    const entry = this.buckets.get(caller);
    if (entry === undefined || entry.expiresAt <= nowMs) return true;
    return take(this.spec, entry.state, 0, nowMs).result.remaining >= 1;
  }

  /** Records one failed check of the caller at `nowMs`. */
  fail(caller: string, nowMs: number): void {
    const entry = this.buckets.get(caller);
    const current = entry !== undefined && entry.expiresAt > nowMs ? entry.state : undefined;
    const { state } = take(this.spec, current, 1, nowMs);
    this.buckets.set(caller, { state, expiresAt: nowMs + ttlMs(this.spec) });
    if (this.buckets.size > MAX_CALLERS) {
      for (const [key, value] of this.buckets) if (value.expiresAt <= nowMs) this.buckets.delete(key);
    }
  }
}
