/**
 * The one validator of ApiSecurityPolicies, used by `aspen validate`, the translator (hence the controller) and the
 * admission webhook, so they can never disagree.
 */
import type { ApiSecurityPolicy } from '../../api/v1alpha1/types.js';
import type { Problem } from '../problem.js';

/** Outcome of validating one policy object. */
export interface PolicyValidation {
  /** The policy with defaults applied; present only when there are no problems. */
  policy?: ApiSecurityPolicy;
  /** Every problem found, each with its field path from the object root. */
  problems: Problem[];
  /** `UnsupportedVersion` when the apiVersion is not served; `Invalid` for any other problem. */
  reason?: 'Invalid' | 'UnsupportedVersion';
}

/**
 * Validates one object of kind ApiSecurityPolicy (as read, unvalidated) and returns it defaulted.
 * TEMPORARY STUB: replaced by the real validator (schema, CEL rules, semantic checks) in the next commit.
 */
export function validatePolicy(object: Record<string, unknown>): PolicyValidation {
  return { policy: structuredClone(object) as unknown as ApiSecurityPolicy, problems: [] };
}
