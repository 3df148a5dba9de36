/**
 * SPIFFE IDs for Kubernetes workloads: `spiffe://<trust-domain>/ns/<namespace>/sa/<service-account>`, validated
 * against the SPIFFE ID specification (trust domain and path segment character sets).
 */
import { fail, ok } from './types.js';
import type { CaResult, WorkloadIdentity } from './types.js';

const TRUST_DOMAIN = /^[a-z0-9._-]{1,255}$/;
const SEGMENT = /^[A-Za-z0-9._-]+$/;

/** Checks a trust domain name: lowercase letters, digits, `.`, `-`, `_`; at most 255 characters. */
export function checkTrustDomain(trustDomain: string): CaResult<string> {
  if (!TRUST_DOMAIN.test(trustDomain)) {
    return fail('invalid-trust-domain', `trust domain "${trustDomain}" is not a valid SPIFFE trust domain`);
  }
  return ok(trustDomain);
}

function checkSegment(field: string, value: string): string | undefined {
  if (!SEGMENT.test(value) || value === '.' || value === '..') {
    return `${field} "${value}" is not a valid SPIFFE path segment`;
  }
  return undefined;
}

/** The SPIFFE ID of a workload identity, or an error when a part would make an invalid ID. */
export function spiffeIdFor(trustDomain: string, identity: WorkloadIdentity): CaResult<string> {
  const td = checkTrustDomain(trustDomain);
  if (!td.ok) return td;
  const problem =
    checkSegment('namespace', identity.namespace) ?? checkSegment('serviceAccount', identity.serviceAccount);
  if (problem !== undefined) return fail('invalid-identity', problem);
  return ok(`spiffe://${trustDomain}/ns/${identity.namespace}/sa/${identity.serviceAccount}`);
}

/** The SPIFFE ID of a trust domain itself (`spiffe://<td>`), carried by signing certificates. */
export function trustDomainId(trustDomain: string): string {
  return `spiffe://${trustDomain}`;
}

/** The trust domain named by a trust-domain SPIFFE ID (`spiffe://<td>` with no path), if it is one. */
export function trustDomainOf(uri: string): string | undefined {
  const match = /^spiffe:\/\/([^/]+)\/?$/.exec(uri);
  const td = match?.[1];
  return td !== undefined && TRUST_DOMAIN.test(td) ? td : undefined;
}
