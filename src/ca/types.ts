/**
 * Plain data shared by the workload CA modules: identities, CA signers, CA state, issued SVIDs and error values.
 */
import type { CryptoKey } from './x509.js';
import type { SecretPem } from './secret.js';

/** Returns the current time. Injected everywhere so tests use a fixed date and never wait. */
export type Clock = () => Date;

/** Returns a number in [0, 1). Injected so jittered timings are deterministic in tests. */
export type RandomSource = () => number;

/** A Kubernetes workload identity: the ServiceAccount a pod runs as. */
export interface WorkloadIdentity {
  /** Namespace of the ServiceAccount. */
  readonly namespace: string;
  /** Name of the ServiceAccount. */
  readonly serviceAccount: string;
}

/**
 * The identity of a caller as established by the authenticated channel (TokenReview, client certificate, or the
 * file-mode authenticator) — never by metadata the caller sends about itself.
 */
export interface AuthenticatedIdentity extends WorkloadIdentity {
  /** How the identity was established, for error messages and logs (for example `tokenreview`). */
  readonly authenticatedBy?: string;
}

/** A certificate + private key that can sign SVIDs: a self-signed root, or an intermediate under one. */
export interface CaSigner {
  /** SPIFFE trust domain this signer issues for (`cluster.local`). */
  readonly trustDomain: string;
  /** PEM of the signing certificate. */
  readonly certificatePem: string;
  /**
   * PEM certificates sent after the leaf in every SVID chain: the signing certificate and any intermediates above
   * it, excluding the trust anchor. Empty when the signer is the root itself.
   */
  readonly issuerChainPem: readonly string[];
  /** PEM of the self-signed root this signer chains to; for a root signer, its own certificate. */
  readonly anchorPem: string;
  /** The signing key (ECDSA P-256 or P-384). A CryptoKey prints no key material when logged. */
  readonly privateKey: CryptoKey;
  /** Earliest date at which every certificate in the signer's chain is valid. */
  readonly notBefore: Date;
  /** Latest date at which every certificate in the signer's chain is still valid. */
  readonly notAfter: Date;
}

/** A root that no longer signs but stays in the trust bundle until SVIDs it signed have expired. */
export interface RetiredAnchor {
  /** PEM of the retired root. */
  readonly anchorPem: string;
  /** The root leaves the trust bundle at this instant. */
  readonly trustedUntil: Date;
}

/** The whole CA: plain data, changed only by the pure functions in `state.ts`. */
export interface CaState {
  /** The signer used for every new SVID. */
  readonly active: CaSigner;
  /** Roots trusted ahead of signing (PEM), added by `stageRoot` so the bundle reaches proxies first. */
  readonly staged: readonly string[];
  /** Previous roots still trusted during a rotation overlap, oldest first. */
  readonly retired: readonly RetiredAnchor[];
  /** Lifetime of an SVID and the longest one this CA issues, in milliseconds. */
  readonly svidTtlMs: number;
}

/** An X.509-SVID as handed to a proxy over SDS. */
export interface IssuedSvid {
  /** `spiffe://<trust-domain>/ns/<namespace>/sa/<service-account>`. */
  readonly spiffeId: string;
  /** PEM chain: the leaf first, then the issuer chain up to (excluding) the trust anchor. */
  readonly certificatePem: string;
  /** PKCS#8 PEM of the workload key when the CA generated it; absent when the caller supplied the key or CSR. */
  readonly privateKeyPem?: SecretPem;
  /** Hexadecimal serial number of the leaf. */
  readonly serialNumber: string;
  /** Start of validity (backdated by the clock skew allowance). */
  readonly notBefore: Date;
  /** End of validity: issue time + TTL, never beyond the signer's own expiry. */
  readonly notAfter: Date;
}

/** Why the CA refused or failed. Messages name identities and certificates, never key material. */
export type CaErrorCode =
  | 'identity-mismatch'
  | 'invalid-identity'
  | 'invalid-trust-domain'
  | 'invalid-certificate'
  | 'invalid-private-key'
  | 'unsupported-key'
  | 'key-mismatch'
  | 'invalid-csr'
  | 'ca-not-valid'
  | 'trust-domain-mismatch';

/** An error value returned by the CA. */
export interface CaError {
  /** Stable machine-readable reason. */
  readonly code: CaErrorCode;
  /** Human-readable explanation; never contains key material. */
  readonly message: string;
}

/** Success or an error value. */
export type CaResult<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: CaError };

/** Wraps a value as a successful {@link CaResult}. */
export function ok<T>(value: T): CaResult<T> {
  return { ok: true, value };
}

/** Builds a failed {@link CaResult}. */
export function fail<T>(code: CaErrorCode, message: string): CaResult<T> {
  return { ok: false, error: { code, message } };
}

/** Milliseconds in an hour, for readable defaults. */
export const HOUR_MS = 60 * 60 * 1000;

/** Default SVID lifetime: 24 hours. */
export const DEFAULT_SVID_TTL_MS = 24 * HOUR_MS;

/** Default backdating of `notBefore` to tolerate clock skew between nodes: 1 minute. */
export const DEFAULT_SKEW_MS = 60 * 1000;

/** Default trust domain. */
export const DEFAULT_TRUST_DOMAIN = 'cluster.local';
