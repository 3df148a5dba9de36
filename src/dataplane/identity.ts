/**
 * Who is calling the dataplane: the SPIFFE ID in the URI SAN of the client certificate the caller presented on the
 * mTLS connection (grpc-js checked the certificate against aspen's trust bundle before any handler runs). A caller
 * without exactly one `spiffe://<trust domain>/ns/<ns>/sa/<sa>` URI SAN is refused.
 */
import type { PeerCertificate } from 'node:tls';

/** An authenticated caller. */
export interface CallerIdentity {
  /** `spiffe://<td>/ns/<ns>/sa/<sa>`. */
  spiffeId: string;
  /** The caller's namespace: it may only use API-key clients and limits of policies in this namespace. */
  namespace: string;
  /** The caller's service account. */
  serviceAccount: string;
}

/** What a gRPC call exposes of its transport. */
export interface CallWithAuthContext {
  /** grpc-js: the TLS peer certificate of the connection. */
  getAuthContext(): { transportSecurityType?: string; sslPeerCertificate?: PeerCertificate } | null;
}

const SPIFFE = /^spiffe:\/\/([^/]+)\/ns\/([^/]+)\/sa\/([^/]+)$/;

/** URI SANs of Node's `subjectaltname` string (`URI:spiffe://…, DNS:…`). */
export function uriSans(subjectAltName: string | undefined): string[] {
  if (subjectAltName === undefined) return [];
  return subjectAltName
    .split(/,\s*/)
    .filter((part) => part.startsWith('URI:'))
    .map((part) => part.slice(4));
}

/** The caller's identity from a SAN string, or why it is refused. */
export function identityFromSans(
  subjectAltName: string | undefined,
  trustDomain: string,
): CallerIdentity | string {
  const uris = uriSans(subjectAltName);
  if (uris.length !== 1)
    return `the client certificate must carry exactly one URI SAN, it has ${uris.length}`;
  const match = SPIFFE.exec(uris[0] ?? '');
  if (match === null) return 'the client certificate URI SAN is not a workload SPIFFE ID';
  if (match[1] !== trustDomain) return `the client certificate is not of trust domain ${trustDomain}`;
  return { spiffeId: uris[0] ?? '', namespace: match[2] ?? '', serviceAccount: match[3] ?? '' };
}

/** The caller of a gRPC call, or why it is refused. */
export function callerOf(call: CallWithAuthContext, trustDomain: string): CallerIdentity | string {
  const context = call.getAuthContext();
  const certificate = context?.sslPeerCertificate;
  if (
    context?.transportSecurityType !== 'ssl' ||
    certificate === undefined ||
    certificate.raw === undefined
  ) {
    return 'no client certificate';
  }
  return identityFromSans(certificate.subjectaltname, trustDomain);
}
