/**
 * The cluster-mode {@link VerifyToken} of ADR 0009: a TokenReview (`authentication.k8s.io/v1`) with the proxy's
 * projected ServiceAccount token and audience `aspen`. Only an authenticated token, bound to the audience, of a
 * ServiceAccount (`system:serviceaccount:<namespace>:<name>`) is accepted; everything else, including API errors and
 * timeouts, is a refusal (fail closed). The token never appears in an error.
 */
import { AuthenticationV1Api } from '@kubernetes/client-node';
import type { KubeConfig, V1TokenReview } from '@kubernetes/client-node';
import type { WorkloadIdentity } from '../../ca/types.js';
import type { VerifyToken } from './token-auth.js';

/** Settings of {@link tokenReviewVerifier}. */
export interface TokenReviewOptions {
  /** Where the API server is and how to reach it (in-cluster config in the controller). */
  readonly kubeConfig: KubeConfig;
  /** The audience the token must be bound to; default `aspen`. */
  readonly audience?: string;
  /** How long a review may take before the token is refused; default 5 s. */
  readonly timeoutMs?: number;
}

/** Default of {@link TokenReviewOptions.audience}. */
export const DEFAULT_TOKEN_AUDIENCE = 'aspen';
/** Default of {@link TokenReviewOptions.timeoutMs}. */
export const DEFAULT_TOKEN_REVIEW_TIMEOUT_MS = 5000;

const SERVICE_ACCOUNT_USER = /^system:serviceaccount:([^:]+):([^:]+)$/;

/** The identity a TokenReview's status grants, or an Error saying why not (never quoting the token). */
export function reviewedIdentity(review: V1TokenReview, audience: string): WorkloadIdentity | Error {
  const status = review.status;
  if (status?.authenticated !== true) return new Error('token not authenticated');
  if (!(status.audiences ?? []).includes(audience)) return new Error(`token audience is not ${audience}`);
  const username = status.user?.username ?? '';
  const match = SERVICE_ACCOUNT_USER.exec(username);
  if (match?.[1] === undefined || match[2] === undefined)
    return new Error(`not a service account: ${username}`);
  return { namespace: match[1], serviceAccount: match[2] };
}

/** The HTTP status of a failed API call, or a fixed word (the error's message may quote the request). */
function failureStatus(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'number')
    return String(error.code);
  if (error instanceof TimeoutError) return 'timeout';
  return 'unreachable';
}

class TimeoutError extends Error {}

async function withTimeout<T>(work: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new TimeoutError()), timeoutMs);
    timer.unref();
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** A {@link VerifyToken} backed by the Kubernetes TokenReview API; see the module comment. */
export function tokenReviewVerifier(options: TokenReviewOptions): VerifyToken {
  const api = options.kubeConfig.makeApiClient(AuthenticationV1Api);
  const audience = options.audience ?? DEFAULT_TOKEN_AUDIENCE;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TOKEN_REVIEW_TIMEOUT_MS;
  return async (token: string): Promise<WorkloadIdentity | Error> => {
    const body: V1TokenReview = {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenReview',
      spec: { token, audiences: [audience] },
    };
    let review: V1TokenReview;
    try {
      review = await withTimeout(api.createTokenReview({ body }), timeoutMs);
    } catch (error) {
      return new Error(`token review failed: ${failureStatus(error)}`);
    }
    return reviewedIdentity(review, audience);
  };
}
