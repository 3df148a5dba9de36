/** IR of rate limits and request validation. */
import type { StringMatchIR } from './authorization.js';

/** One token-bucket rate limit. */
export interface RateLimitIR {
  /** Unique id: `<namespace>/<policy>/<limit>`; used as the rate-limit descriptor value. */
  id: string;
  /** Which requests count; absent fields count everything. */
  match: { methods?: string[]; paths?: StringMatchIR[] };
  /** What requests are counted per; absent means one bucket for everything. */
  key?: { jwtClaim: string } | { header: string } | { remoteAddress: true } | { apiKeyClient: true };
  /** Tokens added per interval. */
  requests: number;
  /** Refill interval in milliseconds. */
  intervalMs: number;
  /** Bucket size above `requests`. */
  burst: number;
  /** Local: per sidecar. Global: aspen's rate-limit service. */
  scope: 'Local' | 'Global';
  /**
   * Global limits only: whether a request is refused (`Closed`) or let through uncounted (`Open`) when the rate-limit
   * service or its shared counters cannot be reached. Absent for Local limits.
   */
  failureMode?: 'Open' | 'Closed';
}

/** Request checks; an absent field is not checked. Merged: smallest sizes, intersected allow-lists. */
export interface RequestValidationIR {
  /** Largest body accepted. */
  maxBodyBytes?: number;
  /** Largest header block, KiB. */
  maxHeadersKb?: number;
  /** Accepted methods. */
  allowedMethods?: string[];
  /** Accepted media types for requests with a body. */
  allowedContentTypes?: string[];
  /** Headers every request must carry (lower case), union over policies. */
  requiredHeaders: string[];
  /** Paths with `;` parameters are accepted only if every policy allows them. */
  allowPathParameters: boolean;
  /** OpenAPI documents requested (accepted, not yet enforced). */
  openapi: { namespace: string; name: string; key: string }[];
}
