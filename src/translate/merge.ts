/** Merging the settings of several policies of one mode covering one port, and the sets used when none does. */
import type { MtlsModeIR, PolicySetIR } from '../ir/index.js';
import type { CompiledPolicy, Merged } from './compiled.js';
import { mergeApiKeys } from './apikeys.js';
import { mergeAuthorization } from './authorization.js';
import { mergeJwt } from './jwt.js';
import { mergeRateLimits } from './ratelimit.js';
import { emptyRequestValidation, mergeRequestValidation } from './request-validation.js';
import { mergeSegmentation } from './segmentation.js';

/** mTLS modes from the strictest to the weakest. */
const MTLS_STRICTNESS: readonly MtlsModeIR[] = ['STRICT', 'PERMISSIVE', 'DISABLE'];

/** The strictest of several mTLS modes (STRICT > PERMISSIVE > DISABLE); STRICT when there are none. */
export function strictestMtls(modes: readonly MtlsModeIR[]): MtlsModeIR {
  return MTLS_STRICTNESS.find((m) => modes.includes(m)) ?? 'STRICT';
}

/** What a port enforces when no policy covers it: STRICT mTLS and deny every request. */
export function meshDefaults(): PolicySetIR {
  return {
    mtls: 'STRICT',
    authorization: { defaultAction: 'Deny', rules: [] },
    rateLimits: [],
    requestValidation: emptyRequestValidation(),
  };
}

/**
 * What a port enforces when only Audit-mode policies cover it: nothing is blocked (PERMISSIVE mTLS, allow every
 * request, path parameters accepted); the Audit policies only log and count what they would deny.
 */
export function allowAll(): PolicySetIR {
  return {
    mtls: 'PERMISSIVE',
    authorization: { defaultAction: 'Allow', rules: [] },
    rateLimits: [],
    requestValidation: { ...emptyRequestValidation(), allowPathParameters: true },
  };
}

/**
 * Merges the settings of policies of one mode (sorted by key) covering one port. Settings combine to the stricter;
 * those that cannot combine are reported as conflicts, and the stricter (or the first policy's) setting applies.
 */
export function mergePolicies(policies: readonly CompiledPolicy[]): Merged<PolicySetIR> {
  const authorization = mergeAuthorization(policies);
  const apiKeys = mergeApiKeys(policies);
  const requestValidation = mergeRequestValidation(policies);
  const value: PolicySetIR = {
    mtls: strictestMtls(policies.map((p) => p.set.mtls)),
    authorization: authorization.value,
    rateLimits: mergeRateLimits(policies),
    requestValidation: requestValidation.value,
  };
  const jwt = mergeJwt(policies);
  if (jwt !== undefined) value.jwt = jwt;
  if (apiKeys.value !== undefined) value.apiKeys = apiKeys.value;
  const segmentation = mergeSegmentation(policies);
  if (segmentation !== undefined) value.segmentation = segmentation;
  const conflicts = [...authorization.conflicts, ...apiKeys.conflicts, ...requestValidation.conflicts];
  return { value, conflicts };
}
