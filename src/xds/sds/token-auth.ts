/**
 * The cluster-mode proxy authenticator (ADR 0009): the proxy sends its projected ServiceAccount token (audience
 * `aspen`) as `authorization: Bearer <token>` metadata on the ADS stream; an injected verifier (TokenReview in the
 * controller) turns it into a ServiceAccount identity; the proxy may then only be served a workload (`node.cluster`,
 * `<namespace>/<workload>`) that runs as that ServiceAccount. The token never appears in errors or logs.
 */
import type { Metadata } from '@grpc/grpc-js';
import type { AuthenticatedIdentity, WorkloadIdentity } from '../../ca/types.js';
import type { DiscoveryRequest } from '../../gen/envoy/service/discovery/v3/discovery.js';
import type { Authenticator, ProxyIdentity } from '../server/types.js';

/** Verifies a bearer token; resolves to the ServiceAccount it belongs to, or an Error (never echoing the token). */
export type VerifyToken = (token: string) => Promise<WorkloadIdentity | Error>;

/** The ServiceAccount a workload (`<namespace>/<name>`) runs as, or undefined when aspen knows no such workload. */
export type WorkloadServiceAccount = (proxyKey: string) => WorkloadIdentity | undefined;

/** Settings of {@link tokenAuthenticator}. */
export interface TokenAuthenticatorOptions {
  /** Checks the token (TokenReview with audience `aspen` in a cluster; a fake in tests). */
  readonly verifyToken: VerifyToken;
  /** Looks up a workload's ServiceAccount in the current snapshot. */
  readonly serviceAccountOf: WorkloadServiceAccount;
  /** Recorded in the identity's `authenticatedBy`; default `token`. */
  readonly method?: string;
}

/** A proxy authenticated by token: its proxy key plus the ServiceAccount identity SDS issues certificates for. */
export interface TokenProxyIdentity extends ProxyIdentity {
  /** The verified ServiceAccount. */
  readonly identity: AuthenticatedIdentity;
}

/** Metadata key carrying the token (gRPC lower-cases keys). */
export const AUTHORIZATION_METADATA = 'authorization';

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;
const PROXY_KEY = /^([^/\s]+)\/([^/\s]+)$/;

/** The bearer token of a call, or an Error saying what is wrong (without the value). */
export function bearerToken(metadata: Metadata): string | Error {
  const values = metadata.get(AUTHORIZATION_METADATA);
  if (values.length === 0)
    return new Error('no authorization metadata: send the ServiceAccount token as a bearer token');
  if (values.length > 1) return new Error('more than one authorization metadata value');
  const value = values[0];
  const match = typeof value === 'string' ? BEARER.exec(value) : null;
  if (match?.[1] === undefined) return new Error('authorization metadata is not "Bearer <token>"');
  return match[1];
}

/**
 * Decides whether a verified ServiceAccount may be served the workload the proxy names in `node.cluster`: same
 * namespace, and the workload runs as that ServiceAccount. Returns the proxy key or an Error.
 */
export function authorizeWorkload(
  identity: WorkloadIdentity,
  firstRequest: DiscoveryRequest,
  serviceAccountOf: WorkloadServiceAccount,
): string | Error {
  const cluster = firstRequest.node?.cluster ?? '';
  const match = PROXY_KEY.exec(cluster);
  if (match === null) return new Error(`node.cluster "${cluster}" is not <namespace>/<workload>`);
  const who = `serviceaccount ${identity.namespace}/${identity.serviceAccount}`;
  if (match[1] !== identity.namespace) return new Error(`${who} may not act for workload ${cluster}`);
  const account = serviceAccountOf(cluster);
  if (account === undefined) return new Error(`unknown workload ${cluster}`);
  if (account.namespace !== identity.namespace || account.serviceAccount !== identity.serviceAccount) {
    return new Error(`${who} may not act for workload ${cluster} (it runs as ${account.serviceAccount})`);
  }
  return cluster;
}

async function verified(verify: VerifyToken, token: string): Promise<WorkloadIdentity | Error> {
  try {
    return await verify(token);
  } catch {
    // The verifier's message may quote the request; say only that it failed.
    return new Error('token verification failed');
  }
}

/** An {@link Authenticator} for ServiceAccount bearer tokens; see the module comment. */
export function tokenAuthenticator(options: TokenAuthenticatorOptions): Authenticator {
  const method = options.method ?? 'token';
  return async (call, firstRequest): Promise<TokenProxyIdentity | Error> => {
    const token = bearerToken(call.metadata);
    if (token instanceof Error) return token;
    const identity = await verified(options.verifyToken, token);
    if (identity instanceof Error)
      return new Error(`token refused: ${identity.message.split(token).join('[token]')}`);
    const proxyKey = authorizeWorkload(identity, firstRequest, options.serviceAccountOf);
    if (proxyKey instanceof Error) return proxyKey;
    return {
      proxyKey,
      identity: {
        namespace: identity.namespace,
        serviceAccount: identity.serviceAccount,
        authenticatedBy: method,
      },
    };
  };
}
