/**
 * The dataplane state of a ResourceSnapshot: its policies validated by the one translator (invalid ones left out),
 * then only the Secrets they reference hashed. Shared by `aspen serve` (its directory) and `aspen dataplane` (the
 * cluster feed), so both read policies exactly as the control plane does.
 */
import type { ApiSecurityPolicy } from '../api/v1alpha1/types.js';
import type { DataObject, RawPolicy } from '../provider/snapshot.js';
import { emptySnapshot } from '../provider/snapshot.js';
import { translate } from '../translate/translate.js';
import type { KeyHasher } from './key-hash.js';
import type { DataplaneState } from './state.js';
import { buildState, referencedSecrets } from './state.js';

/** The valid, defaulted policies among these raw ones. */
export function validPolicies(policies: readonly RawPolicy[], trustDomain: string): ApiSecurityPolicy[] {
  return translate({ ...emptySnapshot(), policies: [...policies] }, { trustDomain }).policies;
}

/** The state of these policies and Secrets (only referenced Secrets are hashed; values are not kept). */
export function stateFromSnapshot(
  input: { policies: readonly RawPolicy[]; secrets: readonly DataObject[] },
  env: { hasher: KeyHasher; trustDomain: string },
): DataplaneState {
  const policies = validPolicies(input.policies, env.trustDomain);
  const hashes = env.hasher.hashSecrets(input.secrets, new Set(referencedSecrets(policies)));
  return buildState(policies, hashes);
}
