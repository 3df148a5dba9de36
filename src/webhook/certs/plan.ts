/**
 * When the webhook certificates change (pure; time passed in). One step at a time, the manager applying each until
 * none is left:
 * 1. no usable CA, or the newest expires within `caRenewBeforeMs` → generate a CA and add it to the bundle (staged);
 * 2. the signer is the newest CA staged for at least `overlapMs` (so every API server and replica already trusts it),
 *    or the only one; the serving certificate is reissued when it is missing, not signed by the signer, for other
 *    DNS names, or expires within `servingRenewBeforeMs`;
 * 3. CAs older than the signer leave the bundle once the serving certificate from the signer is `overlapMs` old;
 *    expired CAs leave at once.
 * So the caBundle always holds the CA of the certificate being served, and the old and new CA overlap.
 */
import type { KeyedCertificate } from './webhook-ca.js';

/** A CA of the bundle with its key identifier. */
export interface BundleCa extends KeyedCertificate {
  /** Subject key identifier (hex). */
  readonly keyId: string;
}

/** The serving certificate with the key identifier of its issuer and its DNS names. */
export interface ServingState extends KeyedCertificate {
  /** Authority key identifier (hex): which CA signed it. */
  readonly issuerKeyId: string;
  /** DNS SANs, sorted. */
  readonly dnsNames: readonly string[];
}

/** Everything stored in the Secret. */
export interface WebhookTlsState {
  /** CAs, newest first; all of them form the caBundle. */
  readonly cas: readonly BundleCa[];
  /** The serving certificate. */
  readonly serving?: ServingState;
}

/** Lifetimes and margins. */
export interface RotationPolicy {
  /** Lifetime of a webhook CA; default 1 year. */
  readonly caValidityMs: number;
  /** A new CA is staged this long before the newest expires; default 90 days. */
  readonly caRenewBeforeMs: number;
  /** Lifetime of a serving certificate; default 30 days. */
  readonly servingValidityMs: number;
  /** Reissue this long before expiry; default 10 days. */
  readonly servingRenewBeforeMs: number;
  /** How long old and new CA overlap at each step; default 1 hour. */
  readonly overlapMs: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** The default policy. */
export const DEFAULT_ROTATION_POLICY: RotationPolicy = {
  caValidityMs: 365 * DAY_MS,
  caRenewBeforeMs: 90 * DAY_MS,
  servingValidityMs: 30 * DAY_MS,
  servingRenewBeforeMs: 10 * DAY_MS,
  overlapMs: 60 * 60 * 1000,
};

/** The next change to make. */
export type RotationStep =
  | { readonly kind: 'drop-expired' }
  | { readonly kind: 'generate-ca' }
  | { readonly kind: 'issue-serving'; readonly signer: BundleCa }
  | { readonly kind: 'retire-old-cas'; readonly keep: number }
  | { readonly kind: 'none'; readonly nextCheckAt: Date };

function signerIndex(cas: readonly BundleCa[], now: number, policy: RotationPolicy): number {
  const index = cas.findIndex((ca) => ca.notBefore.getTime() + policy.overlapMs <= now);
  return index === -1 ? cas.length - 1 : index;
}

function servingStale(
  serving: ServingState | undefined,
  signer: BundleCa,
  context: { now: number; policy: RotationPolicy; dnsNames: readonly string[] },
): boolean {
  if (serving === undefined) return true;
  const names = [...context.dnsNames].sort();
  return (
    serving.issuerKeyId !== signer.keyId ||
    serving.dnsNames.join(',') !== names.join(',') ||
    serving.notAfter.getTime() - context.policy.servingRenewBeforeMs <= context.now
  );
}

function nextCheck(state: WebhookTlsState, index: number, policy: RotationPolicy): Date {
  const times = [
    ...state.cas.map((ca) => ca.notAfter.getTime()),
    (state.cas[0]?.notAfter.getTime() ?? 0) - policy.caRenewBeforeMs,
    ...state.cas.slice(0, index).map((ca) => ca.notBefore.getTime() + policy.overlapMs),
    (state.serving?.notAfter.getTime() ?? 0) - policy.servingRenewBeforeMs,
    ...(state.cas.length > index + 1 ? [(state.serving?.notBefore.getTime() ?? 0) + policy.overlapMs] : []),
  ];
  return new Date(Math.min(...times));
}

/** The next step for `state` at `now`. Pure. */
export function nextStep(
  state: WebhookTlsState,
  now: Date,
  options: { readonly policy: RotationPolicy; readonly dnsNames: readonly string[] },
): RotationStep {
  const t = now.getTime();
  const { policy } = options;
  if (state.cas.some((ca) => ca.notAfter.getTime() <= t)) return { kind: 'drop-expired' };
  const newest = state.cas[0];
  if (newest === undefined || newest.notAfter.getTime() - policy.caRenewBeforeMs <= t) {
    return { kind: 'generate-ca' };
  }
  const index = signerIndex(state.cas, t, policy);
  const signer = state.cas[index] ?? newest;
  if (servingStale(state.serving, signer, { now: t, policy, dnsNames: options.dnsNames })) {
    return { kind: 'issue-serving', signer };
  }
  const serving = state.serving as ServingState;
  if (state.cas.length > index + 1 && serving.notBefore.getTime() + policy.overlapMs <= t) {
    return { kind: 'retire-old-cas', keep: index + 1 };
  }
  return { kind: 'none', nextCheckAt: nextCheck(state, index, policy) };
}

/** The caBundle of a state: every CA, newest first. */
export function caBundle(state: WebhookTlsState): string {
  return state.cas.map((ca) => ca.certificatePem).join('');
}
