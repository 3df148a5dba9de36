/**
 * The workload CA: X.509-SVIDs for `spiffe://<trust-domain>/ns/<ns>/sa/<sa>`, renewal timing, and root rotation
 * with an overlapping trust bundle. Plain data and pure functions, plus the small stateful {@link WorkloadCa}.
 */
export { issueFor, issueSvid } from './issue.js';
export type { IssueOptions, SvidKey, SvidRequest } from './issue.js';
export { generateKeyPair } from './keys.js';
export { caFromPem, caToPem } from './pem.js';
export type { CaFromPemOptions, CaPem } from './pem.js';
export { renewalTime } from './renewal.js';
export type { RenewalOptions, ValidityWindow } from './renewal.js';
export { DEFAULT_ROOT_VALIDITY_MS, generateRootCa } from './root.js';
export type { GenerateRootCaOptions } from './root.js';
export { SecretPem } from './secret.js';
export { spiffeIdFor } from './spiffe.js';
export { newCaState, pruneBundle, rotateRoot, stageRoot, trustBundle, trustedRoots } from './state.js';
export type { CaStateOptions } from './state.js';
export { DEFAULT_SKEW_MS, DEFAULT_SVID_TTL_MS, DEFAULT_TRUST_DOMAIN } from './types.js';
export type {
  AuthenticatedIdentity,
  CaError,
  CaErrorCode,
  CaResult,
  CaSigner,
  CaState,
  Clock,
  IssuedSvid,
  RandomSource,
  RetiredAnchor,
  WorkloadIdentity,
} from './types.js';
export { WorkloadCa } from './workload-ca.js';
export type { WorkloadCaOptions } from './workload-ca.js';
