/**
 * Scriptable TokenReview answers: tests register which tokens authenticate as which ServiceAccount (and for which
 * audiences), or install their own reviewer. Unknown tokens are not authenticated.
 */
import type { KubeObject } from './objects.js';

/** The TokenReview `status` answered for a token. */
export interface TokenReviewStatus {
  /** Whether the token is valid. */
  authenticated: boolean;
  /** The user, when authenticated. */
  user?: { username: string; uid?: string; groups?: string[] };
  /** The audiences the token is bound to. */
  audiences?: string[];
  /** Why not, when not authenticated. */
  error?: string;
}

/** A reviewer: token and requested audiences → status. */
export type TokenReviewer = (token: string, audiences: readonly string[]) => TokenReviewStatus;

/** Holds the tokens a test registered. */
export class TokenReviews {
  private readonly tokens = new Map<string, { username: string; audiences: string[] }>();
  private custom: TokenReviewer | undefined;

  /** Accepts `token` as ServiceAccount `namespace/serviceAccount`, bound to `audiences` (default ['aspen']). */
  allow(token: string, namespace: string, serviceAccount: string, audiences: string[] = ['aspen']): void {
    this.tokens.set(token, { username: `system:serviceaccount:${namespace}:${serviceAccount}`, audiences });
  }

  /** Forgets a token (it stops authenticating). */
  revoke(token: string): void {
    this.tokens.delete(token);
  }

  /** Replaces the table with a reviewer of your own (undefined restores the table). */
  use(reviewer: TokenReviewer | undefined): void {
    this.custom = reviewer;
  }

  /** The status for a token. */
  review(token: string, audiences: readonly string[]): TokenReviewStatus {
    if (this.custom !== undefined) return this.custom(token, audiences);
    const known = this.tokens.get(token);
    if (known === undefined) return { authenticated: false, error: 'invalid bearer token' };
    const granted =
      audiences.length === 0 ? known.audiences : audiences.filter((a) => known.audiences.includes(a));
    if (granted.length === 0) return { authenticated: false, error: 'token audiences do not match' };
    return { authenticated: true, user: { username: known.username, groups: [] }, audiences: granted };
  }

  /** Answers a posted TokenReview object. */
  answer(body: KubeObject): KubeObject {
    const spec = (body['spec'] ?? {}) as { token?: string; audiences?: string[] };
    return { ...body, status: this.review(spec.token ?? '', spec.audiences ?? []) };
  }
}
