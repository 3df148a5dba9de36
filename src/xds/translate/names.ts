/**
 * Names of every generated Envoy resource, in one place so references always match and output stays stable.
 * A reviewer reading a golden file should recognise each name's purpose from the name alone.
 */

/** The inbound capture listener. */
export const INBOUND_LISTENER = 'inbound';
/** The outbound capture listener. */
export const OUTBOUND_LISTENER = 'outbound';
/** SDS secret with the workload's certificate and key. */
export const WORKLOAD_CERT_SECRET = 'default';
/** SDS secret with the trust bundle (validation context). */
export const TRUST_BUNDLE_SECRET = 'ROOTCA';
/** Cluster of aspen's per-request services. */
export const DATAPLANE_CLUSTER = 'aspen-dataplane';

/** RDS route configuration of one inbound port. */
export function inboundRouteName(port: number): string {
  return `inbound|${port}`;
}

/** Cluster sending inbound requests of a port to the application on loopback. */
export function localAppCluster(port: number): string {
  return `inbound-app|${port}`;
}

/** Cluster of one outbound service port: `outbound|<port>|<host>`. */
export function outboundCluster(host: string, port: number): string {
  return `outbound|${port}|${host}`;
}

/** Cluster fetching one JWT provider's remote JWKS. */
export function jwksCluster(providerId: string): string {
  return `jwks|${providerId}`;
}

/** Stat prefix of one inbound port's HTTP connection manager. */
export function inboundStatPrefix(port: number): string {
  return `inbound_${port}`;
}

/** RDS route configuration of one outbound port that several meshed services share (routed by Host). */
export function outboundRouteName(port: number): string {
  return `outbound|${port}`;
}
