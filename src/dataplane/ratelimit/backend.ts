/**
 * Where Global rate-limit counters live: one interface, two backends (memory.ts: one process; redis.ts: shared by
 * every dataplane replica). A take is atomic per bucket. A backend that cannot answer rejects the promise; the
 * service then applies the limit's failure mode.
 */
import type { BucketSpec, TakeResult } from './bucket.js';

/** One counted descriptor. */
export interface TakeRequest {
  /** The bucket: rule id plus key value (already bounded in size by the service). */
  bucket: string;
  /** The limit's numbers. */
  spec: BucketSpec;
  /** Tokens to take (Envoy's `hits_addend`, at least 1). */
  hits: number;
}

/** A counter store. */
export interface RateLimitBackend {
  /** Name for logs and metrics: `memory` or `redis`. */
  readonly name: string;
  /** Takes tokens from one bucket at `nowMs`. Rejects when the store cannot be reached. */
  take(request: TakeRequest, nowMs: number): Promise<TakeResult>;
  /** Releases connections and timers. */
  close(): Promise<void>;
}
