/**
 * Test fixtures for HTTP filter modules: small PortIR/ProxyIR builders with safe defaults (mesh defaults: STRICT
 * mTLS, default deny, no rules), and a helper running Envoy's own validators over a module's output.
 */
import { Cluster } from '../../../../src/gen/envoy/config/cluster/v3/cluster.js';
import type { HttpFilter } from '../../../../src/gen/envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.js';
import type { JwtProviderIR, PolicySetIR, PortIR, ProxyIR, RuleIR } from '../../../../src/ir/index.js';
import { defaultXdsConfig } from '../../../../src/xds/translate/config.js';
import type { FilterContext, FilterOutput } from '../../../../src/xds/translate/filters/module.js';
import { unpackAny } from '../../../../src/xds/proto/any.js';
import { toCanonicalJson } from '../../../../src/xds/proto/json.js';
import { typeUrlOf } from '../../../../src/xds/proto/registry.js';
import type { EnvoyValidation } from '../../../tools/envoy-validate.js';
import { validateWithEnvoy } from '../../../tools/envoy-validate.js';

/** A policy set with the mesh defaults, overridden field by field. */
export function policySet(overrides: Partial<PolicySetIR> = {}): PolicySetIR {
  return {
    mtls: 'STRICT',
    authorization: { defaultAction: 'Deny', rules: [] },
    rateLimits: [],
    requestValidation: { requiredHeaders: [], allowPathParameters: false, openapi: [] },
    ...overrides,
  };
}

/** Port 8080 with the mesh defaults, overridden field by field. */
export function port(overrides: Partial<PortIR> = {}): PortIR {
  return {
    port: 8080,
    policies: ['shop/p'],
    enforce: policySet(),
    accessLog: { enabled: true, redactHeaders: ['authorization'] },
    failClosed: [],
    ...overrides,
  };
}

/** A proxy for `shop/orders` holding the given ports. */
export function proxy(ports: PortIR[]): ProxyIR {
  return {
    key: 'shop/orders',
    workload: { namespace: 'shop', name: 'orders', kind: 'Deployment', serviceAccount: 'orders' },
    identity: 'spiffe://cluster.local/ns/shop/sa/orders',
    policies: ['shop/p'],
    ports,
    outbound: [],
  };
}

/** The filter context of one port (the proxy holds only that port), with default settings. */
export function context(p: PortIR): FilterContext {
  return { proxy: proxy([p]), port: p, config: defaultXdsConfig() };
}

/** A JWT provider `shop/p/<name>` with remote JWKS at https://issuer.example.com, reading the bearer header. */
export function jwtProvider(name = 'idp', overrides: Partial<JwtProviderIR> = {}): JwtProviderIR {
  return {
    id: `shop/p/${name}`,
    policy: 'shop/p',
    issuer: 'https://issuer.example.com',
    audiences: ['orders'],
    jwks: {
      remote: {
        uri: 'https://issuer.example.com/.well-known/jwks.json',
        cacheDurationMs: 300000,
        timeoutMs: 2000,
      },
    },
    sources: [{ header: 'authorization', prefix: 'Bearer ' }],
    forwardClaims: [],
    clockSkewSeconds: 60,
    ...overrides,
  };
}

/** A rule `shop/p/<name>` with no conditions (matches every request), overridden field by field. */
export function rule(name: string, overrides: Partial<RuleIR> = {}): RuleIR {
  return { id: `shop/p/${name}`, action: 'Allow', from: {}, to: {}, ...overrides };
}

/** The canonical JSON (with `@type`) of each filter's typed config and each cluster of a module's output. */
export function canonicalResources(output: FilterOutput): object[] {
  const filters = output.httpFilters.map((filter: HttpFilter) => {
    if (filter.configType?.$case !== 'typedConfig')
      throw new Error(`filter ${filter.name} has no typed config`);
    const any = filter.configType.value;
    return { '@type': any.typeUrl, ...(toCanonicalJson(any.typeUrl, unpackAny(any)) as object) };
  });
  const clusterUrl = typeUrlOf(Cluster.$type);
  const clusters = output.clusters.map((c) => ({
    '@type': clusterUrl,
    ...(toCanonicalJson(clusterUrl, c) as object),
  }));
  return [...filters, ...clusters];
}

/** Envoy's own verdicts on a module's output (typed filter configs, then clusters). */
export function validateOutput(output: FilterOutput): Promise<EnvoyValidation[]> {
  return validateWithEnvoy(canonicalResources(output));
}
