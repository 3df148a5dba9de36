/** Compiling one valid policy into IR fragments (see CompiledPolicy). */
import type { ApiSecurityPolicy } from '../api/v1alpha1/types.js';
import type { JwksIR, PolicySetIR } from '../ir/index.js';
import type { CompileContext, CompiledPolicy } from './compiled.js';
import { compileApiKeys } from './apikeys.js';
import { compileAuthorization } from './authorization.js';
import { compileJwt, jwtHeaders } from './jwt.js';
import { compileRateLimits } from './ratelimit.js';
import { compileRequestValidation } from './request-validation.js';
import { compileSegmentation } from './segmentation.js';
import { sortedUnique } from './sort.js';

function compileSet(
  policy: ApiSecurityPolicy,
  ctx: CompileContext,
  secretJwks: ReadonlyMap<number, JwksIR>,
): PolicySetIR {
  const set: PolicySetIR = {
    mtls: policy.spec.mtls?.mode ?? 'STRICT',
    authorization: compileAuthorization(policy, ctx),
    rateLimits: compileRateLimits(policy, ctx),
    requestValidation: compileRequestValidation(policy, ctx),
  };
  const jwt = compileJwt(policy, ctx, secretJwks);
  if (jwt !== undefined) set.jwt = jwt;
  const apiKeys = compileApiKeys(policy, ctx);
  if (apiKeys !== undefined) set.apiKeys = apiKeys;
  const segmentation = compileSegmentation(policy, ctx);
  if (segmentation !== undefined) set.segmentation = segmentation;
  return set;
}

/**
 * Compiles a valid, defaulted policy. `secretJwks` holds the JWKS documents resolved from Secrets, by provider index
 * (see resolveRefs).
 */
export function compilePolicy(
  policy: ApiSecurityPolicy,
  ctx: CompileContext,
  secretJwks: ReadonlyMap<number, JwksIR>,
): CompiledPolicy {
  const set = compileSet(policy, ctx, secretJwks);
  const apiKeyHeader =
    set.apiKeys !== undefined && 'header' in set.apiKeys.source ? [set.apiKeys.source.header] : [];
  const logging = policy.spec.logging;
  const redact = (logging?.redactHeaders ?? []).map((h) => h.toLowerCase());
  return {
    key: ctx.key,
    mode: policy.spec.mode ?? 'Enforce',
    set,
    accessLog: logging?.accessLog ?? true,
    redactHeaders: sortedUnique([...redact, ...apiKeyHeader, ...jwtHeaders(set.jwt)]),
  };
}
