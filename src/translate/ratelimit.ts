/** Rate limits: a policy's limits as IR, and the merge of several policies' limits. */
import type { ApiSecurityPolicy, RateLimit } from '../api/v1alpha1/types.js';
import type { RateLimitIR } from '../ir/index.js';
import type { CompileContext, CompiledPolicy } from './compiled.js';
import { compileTarget } from './authorization.js';
import { durationMs } from './duration.js';
import { sortById } from './sort.js';

function limitKey(key: RateLimit['key']): RateLimitIR['key'] {
  if (key?.jwtClaim !== undefined) return { jwtClaim: key.jwtClaim };
  if (key?.header !== undefined) return { header: key.header.toLowerCase() };
  if (key?.remoteAddress !== undefined) return { remoteAddress: true };
  if (key?.apiKeyClient !== undefined) return { apiKeyClient: true };
  return undefined;
}

function compileLimit(limit: RateLimit, ctx: CompileContext): RateLimitIR {
  const out: RateLimitIR = {
    id: `${ctx.key}/${limit.name}`,
    match: compileTarget(limit.match),
    requests: limit.requests,
    intervalMs: durationMs(limit.per, '1s'),
    burst: limit.burst ?? 0,
    scope: limit.scope ?? 'Local',
  };
  if (out.scope === 'Global') out.failureMode = limit.failureMode ?? 'Closed';
  const key = limitKey(limit.key);
  if (key !== undefined) out.key = key;
  return out;
}

/** A policy's rate limits as IR, sorted by id. */
export function compileRateLimits(policy: ApiSecurityPolicy, ctx: CompileContext): RateLimitIR[] {
  return sortById((policy.spec.rateLimits ?? []).map((l) => compileLimit(l, ctx)));
}

/** Rate limits of several policies: all kept, sorted by id; a request must pass each matching one. */
export function mergeRateLimits(policies: readonly CompiledPolicy[]): RateLimitIR[] {
  return sortById(policies.flatMap((p) => p.set.rateLimits));
}
