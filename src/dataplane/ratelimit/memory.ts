/**
 * The in-memory backend: buckets in a Map, atomic because JavaScript runs one take at a time. For a single dataplane
 * replica (the default, and `aspen serve`). Buckets that would be full again are dropped when the map grows past
 * `maxBuckets`, so the memory used is bounded.
 */
import type { RateLimitBackend, TakeRequest } from './backend.js';
import type { BucketState, TakeResult } from './bucket.js';
import { take, ttlMs } from './bucket.js';

/** Default number of buckets kept before expired ones are swept. */
export const DEFAULT_MAX_BUCKETS = 100_000;

interface Entry {
  state: BucketState;
  expiresAt: number;
}

/** Counters in this process. */
export class MemoryBackend implements RateLimitBackend {
  readonly name = 'memory';
  private readonly buckets = new Map<string, Entry>();
  private readonly maxBuckets: number;

  /** A backend that sweeps expired buckets above `maxBuckets`. */
  constructor(maxBuckets = DEFAULT_MAX_BUCKETS) {
    this.maxBuckets = maxBuckets;
  }

  /** See {@link RateLimitBackend.take}. */
  take(request: TakeRequest, nowMs: number): Promise<TakeResult> {
    const entry = this.buckets.get(request.bucket);
    const current = entry !== undefined && entry.expiresAt > nowMs ? entry.state : undefined;
    const { state, result } = take(request.spec, current, request.hits, nowMs);
    this.buckets.set(request.bucket, { state, expiresAt: nowMs + ttlMs(request.spec) });
    if (this.buckets.size > this.maxBuckets) this.sweep(nowMs);
    return Promise.resolve(result);
  }

  /** Number of buckets held (tests). */
  get size(): number {
    return this.buckets.size;
  }

  /** See {@link RateLimitBackend.close}. */
  close(): Promise<void> {
    this.buckets.clear();
    return Promise.resolve();
  }

  private sweep(nowMs: number): void {
    for (const [bucket, entry] of this.buckets) if (entry.expiresAt <= nowMs) this.buckets.delete(bucket);
  }
}
