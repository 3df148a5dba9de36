/**
 * What a proxyless gRPC data plane (grpc-js-xds and the other gRPC xDS libraries) cannot enforce, per policy. gRPC's
 * xDS support has the RBAC HTTP filter (principals, peer addresses, paths, headers), xDS-configured mTLS through
 * certificate providers and nothing else aspen uses: no JWT filter, no external authorization (API keys), no rate
 * limits, no request checks; it ignores filter chains that match a transport protocol other than `raw_buffer`, so a
 * port cannot take both TLS and plaintext (PERMISSIVE); it rejects RBAC filters with action LOG or without `rules`
 * (shadow rules only), so Audit mode has no form. A policy that needs any of these fails closed on proxyless
 * workloads (see ADR 0024).
 */
import type { PolicySetIR, RuleIR } from '../ir/index.js';

/** Names of the features a proxyless workload cannot enforce, as the policy status lists them. */
export const UnsupportedFeature = {
  Jwt: 'JWT authentication',
  ApiKeys: 'API keys',
  RateLimits: 'rate limits',
  RequestValidation: 'request validation',
  Permissive: 'PERMISSIVE mTLS',
  Audit: 'Audit mode',
} as const;

/** One of {@link UnsupportedFeature}. */
export type UnsupportedFeatureName = (typeof UnsupportedFeature)[keyof typeof UnsupportedFeature];

/** The order features are listed in (the order of {@link UnsupportedFeature}). */
const ORDER: readonly UnsupportedFeatureName[] = Object.values(UnsupportedFeature);

/** Whether any request check is configured (path parameters are a hardening default, not a check a policy asks for). */
function checksRequests(set: PolicySetIR): boolean {
  const rv = set.requestValidation;
  return (
    rv.maxBodyBytes !== undefined ||
    rv.maxHeadersKb !== undefined ||
    rv.allowedMethods !== undefined ||
    rv.allowedContentTypes !== undefined ||
    rv.requiredHeaders.length > 0 ||
    rv.openapi.length > 0
  );
}

function usesClaims(rules: readonly RuleIR[]): boolean {
  return rules.some((r) => r.from.jwtClaims !== undefined);
}

function usesApiKeyClients(rules: readonly RuleIR[]): boolean {
  return rules.some((r) => r.from.apiKeyClients !== undefined);
}

/**
 * The features of one policy's settings (`set`, in `mode`) that a proxyless gRPC workload cannot enforce, in a fixed
 * order; empty when the policy can be enforced as written.
 */
export function unsupportedFeatures(set: PolicySetIR, mode: 'Enforce' | 'Audit'): UnsupportedFeatureName[] {
  const found = new Set<UnsupportedFeatureName>();
  const rules = set.authorization.rules;
  if (set.jwt !== undefined || usesClaims(rules)) found.add(UnsupportedFeature.Jwt);
  if (set.apiKeys !== undefined || usesApiKeyClients(rules)) found.add(UnsupportedFeature.ApiKeys);
  if (set.rateLimits.length > 0) found.add(UnsupportedFeature.RateLimits);
  if (checksRequests(set)) found.add(UnsupportedFeature.RequestValidation);
  if (set.mtls === 'PERMISSIVE') found.add(UnsupportedFeature.Permissive);
  if (mode === 'Audit') found.add(UnsupportedFeature.Audit);
  return ORDER.filter((f) => found.has(f));
}
