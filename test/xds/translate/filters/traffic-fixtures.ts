/**
 * Test fixtures for the traffic modules (rate limits, body size, access log): RateLimitIR builders, ports holding
 * them, and typed access to the configs a module emits. Generic PortIR builders come from ./fixtures.ts.
 */
import type { HttpFilter } from '../../../../src/gen/envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.js';
import type { RateLimitIR } from '../../../../src/ir/index.js';
import type { Decoder } from '../../../../src/xds/proto/any.js';
import { unpackAnyAs } from '../../../../src/xds/proto/any.js';
import type { UnknownMessage } from '../../../../src/xds/proto/registry.js';
import type { FilterContext } from '../../../../src/xds/translate/filters/module.js';
import { context, policySet, port } from './fixtures.js';

export { context, policySet, port };

/** A limit `shop/p/<name>`: 100 requests per minute, burst 20, every request in one bucket, Local. */
export function limit(name: string, overrides: Partial<RateLimitIR> = {}): RateLimitIR {
  return {
    id: `shop/p/${name}`,
    match: {},
    requests: 100,
    intervalMs: 60000,
    burst: 20,
    scope: 'Local',
    ...overrides,
  };
}

/** The context of port 8080 with these Enforce-mode and (optionally) Audit-mode limits. */
export function limitsContext(enforce: RateLimitIR[], audit?: RateLimitIR[]): FilterContext {
  return context(
    port({
      enforce: policySet({ rateLimits: enforce }),
      ...(audit !== undefined ? { audit: policySet({ mtls: 'PERMISSIVE', rateLimits: audit }) } : {}),
    }),
  );
}

/** The typed config of a filter, which must be of the given type. */
export function filterConfig<T extends UnknownMessage>(filter: HttpFilter | undefined, type: Decoder<T>): T {
  if (filter?.configType?.$case !== 'typedConfig') throw new Error('filter has no typed config');
  return unpackAnyAs(filter.configType.value, type);
}

/** Runs an RE2-compatible regex (the subset aspen emits is also valid JavaScript) against a value. */
export function re2Matches(regex: string, value: string): boolean {
  return new RegExp(regex, 'u').test(value);
}
