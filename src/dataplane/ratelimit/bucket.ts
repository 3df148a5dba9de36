/**
 * The token bucket of a Global limit, with the semantics of Envoy's local token bucket (and so of aspen's Local
 * limits): it holds at most `requests + burst` tokens and starts full; every `intervalMs` after the bucket was
 * created, `requests` tokens are added (never above the maximum); each request takes one token or is refused.
 * So a fresh bucket admits `requests + burst` requests, then `requests` per interval. The same arithmetic runs in
 * memory here and in Redis (redis-script.ts); tests hold both to it.
 */

/** The numbers of one limit. */
export interface BucketSpec {
  /** Tokens added per interval. */
  requests: number;
  /** Interval in milliseconds. */
  intervalMs: number;
  /** Bucket size above `requests`. */
  burst: number;
}

/** A bucket's stored state. */
export interface BucketState {
  /** Tokens left. */
  tokens: number;
  /** Time (epoch ms) of the last fill, or of creation: fills happen at `fillAt + k * intervalMs`. */
  fillAt: number;
}

/** The answer for one take. */
export interface TakeResult {
  /** Whether the request is admitted. */
  allowed: boolean;
  /** Tokens left after the take. */
  remaining: number;
  /** Milliseconds until the next fill. */
  resetMs: number;
}

/** The bucket's maximum. */
export function capacity(spec: BucketSpec): number {
  return spec.requests + spec.burst;
}

/** Takes `hits` tokens at `nowMs` from `state` (undefined: a new, full bucket); returns the new state and the answer. */
export function take(
  spec: BucketSpec,
  state: BucketState | undefined,
  hits: number,
  nowMs: number,
): { state: BucketState; result: TakeResult } {
  const max = capacity(spec);
  let tokens = state?.tokens ?? max;
  let fillAt = state?.fillAt ?? nowMs;
  const fills = Math.floor(Math.max(0, nowMs - fillAt) / spec.intervalMs);
  if (fills > 0) {
    tokens = Math.min(max, tokens + fills * spec.requests);
    fillAt += fills * spec.intervalMs;
  }
  const allowed = tokens >= hits;
  if (allowed) tokens -= hits;
  const resetMs = fillAt + spec.intervalMs - nowMs;
  return { state: { tokens, fillAt }, result: { allowed, remaining: tokens, resetMs } };
}

/** How long a bucket must be kept: until it would be full again (then a new bucket is the same), plus one interval. */
export function ttlMs(spec: BucketSpec): number {
  return (Math.ceil(capacity(spec) / spec.requests) + 1) * spec.intervalMs;
}
