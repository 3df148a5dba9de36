/**
 * The CA as plain data and pure transitions: create, rotate the root with an overlapping trust bundle, prune
 * retired roots, and read the bundle.
 *
 * Rotation rule: when a new signer takes over, the old root stays in the bundle until every SVID it can have
 * signed has expired. Each SVID lives at most `svidTtlMs`, so that is `rotation time + svidTtlMs`, or the old
 * root's own expiry if sooner. The bound needs no record of issued certificates, so it also holds after the
 * controller restarts.
 *
 * Two-step rotation avoids the one remaining race (a proxy validating a new-root SVID before its bundle update
 * arrived): {@link stageRoot} first, so every proxy trusts the new root, then {@link rotateRoot} once the bundle
 * has been pushed. A one-step {@link rotateRoot} is also valid.
 */
import { joinPem } from './pem.js';
import { DEFAULT_SVID_TTL_MS, fail, ok } from './types.js';
import type { CaResult, CaSigner, CaState, Clock, RetiredAnchor } from './types.js';
import { X509Certificate } from './x509.js';

/** Options for {@link newCaState}. */
export interface CaStateOptions {
  /** SVID lifetime (and maximum) in milliseconds; default 24 hours. */
  readonly svidTtlMs?: number;
}

/** A CA state signing with `signer` and trusting only its root. */
export function newCaState(signer: CaSigner, options: CaStateOptions = {}): CaState {
  return { active: signer, staged: [], retired: [], svidTtlMs: options.svidTtlMs ?? DEFAULT_SVID_TTL_MS };
}

function anchorNotAfter(anchorPem: string): number {
  return new X509Certificate(anchorPem).notAfter.getTime();
}

function checkTrustDomain(state: CaState, next: CaSigner): CaResult<CaSigner> {
  const current = state.active.trustDomain;
  if (next.trustDomain === current) return ok(next);
  return fail(
    'trust-domain-mismatch',
    `new CA is for trust domain "${next.trustDomain}", the current one for "${current}"`,
  );
}

/** Adds the root of `next` to the trust bundle ahead of {@link rotateRoot}; it does not sign yet. */
export function stageRoot(state: CaState, next: CaSigner): CaResult<CaState> {
  const checked = checkTrustDomain(state, next);
  if (!checked.ok) return checked;
  if (next.anchorPem === state.active.anchorPem || state.staged.includes(next.anchorPem)) return ok(state);
  return ok({ ...state, staged: [...state.staged, next.anchorPem] });
}

/**
 * Makes `next` the signer of all new SVIDs. The previous root stays trusted until the last SVID it could have
 * signed expires; a signer under the same root retires nothing. The trust domain cannot change.
 */
export function rotateRoot(state: CaState, next: CaSigner, clock: Clock): CaResult<CaState> {
  const checked = checkTrustDomain(state, next);
  if (!checked.ok) return checked;
  const previous = state.active;
  const staged = state.staged.filter((pem) => pem !== next.anchorPem);
  const kept = state.retired.filter((r) => r.anchorPem !== next.anchorPem);
  if (previous.anchorPem === next.anchorPem) return ok({ ...state, active: next, staged, retired: kept });
  const trustedUntil = Math.min(clock().getTime() + state.svidTtlMs, anchorNotAfter(previous.anchorPem));
  const retiring: RetiredAnchor = { anchorPem: previous.anchorPem, trustedUntil: new Date(trustedUntil) };
  const others = kept.filter((r) => r.anchorPem !== previous.anchorPem);
  return ok({ ...state, active: next, staged, retired: [...others, retiring] });
}

/** Drops retired roots whose overlap has ended. */
export function pruneBundle(state: CaState, clock: Clock): CaState {
  const now = clock().getTime();
  const retired = state.retired.filter((r) => r.trustedUntil.getTime() > now);
  return retired.length === state.retired.length ? state : { ...state, retired };
}

/** PEM roots trusted now: the active root, then staged roots, then retired roots whose overlap has not ended. */
export function trustedRoots(state: CaState, clock: Clock): string[] {
  const retired = pruneBundle(state, clock).retired.map((r) => r.anchorPem);
  return [...new Set([state.active.anchorPem, ...state.staged, ...retired])];
}

/** The trust bundle as one PEM document (what SDS serves as the validation context). */
export function trustBundle(state: CaState, clock: Clock): string {
  return joinPem(trustedRoots(state, clock));
}
