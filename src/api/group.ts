/** The API group every aspen resource belongs to. Other tools rely on this name. */
export const API_GROUP = 'aspen.dev';
/** The only served version of the API. */
export const API_VERSION = 'v1alpha1';
/** `apiVersion` as written in manifests. */
export const API_GROUP_VERSION = `${API_GROUP}/${API_VERSION}`;
/** Kind of the policy resource. */
export const POLICY_KIND = 'ApiSecurityPolicy';
/** Plural resource name (URL path segment). */
export const POLICY_PLURAL = 'apisecuritypolicies';
/** Singular resource name. */
export const POLICY_SINGULAR = 'apisecuritypolicy';
/** Short name for kubectl (`kubectl get asp`). */
export const POLICY_SHORT_NAME = 'asp';
/** Kinds in the aspen.dev group that this version of aspen understands. */
export const KNOWN_KINDS: readonly string[] = [POLICY_KIND];
