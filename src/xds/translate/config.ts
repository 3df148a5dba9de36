/** Settings of the IR → Envoy translation: where aspen's own services are, and the sidecar's fixed ports. */

import { spiffeId } from '../../translate/match.js';

/** A host and port. */
export interface HostPort {
  /** DNS name or IP. */
  host: string;
  /** TCP port. */
  port: number;
}

/** Settings of the IR → Envoy translation (defaults in design.md, "Roles, ports and addresses"). */
export interface XdsTranslateConfig {
  /** SPIFFE trust domain, e.g. `cluster.local`. */
  trustDomain: string;
  /** aspen's per-request services (API-key check, rate limit, access log), reached over mTLS. */
  dataplane: HostPort;
  /** SPIFFE ID of the dataplane service, checked on its certificate. */
  dataplaneIdentity: string;
  /** Sidecar ports inside each pod. */
  sidecar: {
    /** Inbound capture listener. */
    inbound: number;
    /** Outbound capture listener. */
    outbound: number;
  };
}

/** The defaults: namespace `aspen-system`, ports from design.md. */
export function defaultXdsConfig(trustDomain = 'cluster.local'): XdsTranslateConfig {
  return {
    trustDomain,
    dataplane: { host: 'aspen-dataplane.aspen-system.svc', port: 15020 },
    dataplaneIdentity: spiffeId(trustDomain, 'aspen-system', 'aspen-dataplane'),
    sidecar: { inbound: 15006, outbound: 15001 },
  };
}
