/**
 * The shape every HTTP filter module has (one module per Envoy HTTP filter, Envoy Gateway style), and what it is
 * given. Modules are pure: IR in, Envoy messages out. Their order is fixed in one table, filters/order.ts.
 */
import type { Cluster } from '../../../gen/envoy/config/cluster/v3/cluster.js';
import type { HttpFilter } from '../../../gen/envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.js';
import type { PortIR, ProxyIR } from '../../../ir/index.js';
import type { XdsTranslateConfig } from '../config.js';

/**
 * The parts of a port the HTTP filter modules translate: the merged Enforce and Audit settings and the policies that
 * fail closed; nothing else (not the port number, not the workload). Filter outputs are memoised on exactly these
 * (src/xds/translate/inbound.ts), so a module must read nothing outside them: this type makes sure it cannot.
 */
export type PortPolicies = Pick<PortIR, 'enforce' | 'audit' | 'failClosed'>;

/** What a filter module sees: the policies of one inbound port, and the translation settings. */
export interface ModuleContext {
  /** The port's policy settings. */
  port: PortPolicies;
  /** Translation settings. */
  config: XdsTranslateConfig;
}

/** One inbound port of one proxy: what the orchestrator and the access logs see. */
export interface FilterContext {
  /** The whole proxy (identity, other ports). */
  proxy: ProxyIR;
  /** The port whose HTTP connection manager is being built. */
  port: PortIR;
  /** Translation settings. */
  config: XdsTranslateConfig;
}

/** What a filter module adds to a port. */
export interface FilterOutput {
  /** HTTP filters, in order, to place at this module's position in the chain (none when not needed). */
  httpFilters: HttpFilter[];
  /** Clusters the filters reference (e.g. a JWKS host); de-duplicated by name across ports and modules. */
  clusters: Cluster[];
}

/** One HTTP filter module. */
export interface HttpFilterModule {
  /** A short id for tests and errors, e.g. `jwt`. */
  id: string;
  /** The filters and clusters for one port. */
  build(ctx: ModuleContext): FilterOutput;
}

/** A FilterOutput with nothing in it. */
export function noFilters(): FilterOutput {
  return { httpFilters: [], clusters: [] };
}
