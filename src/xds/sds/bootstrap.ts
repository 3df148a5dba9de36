/**
 * The Envoy bootstrap of an aspen sidecar (`aspen bootstrap`, and the injector later). Plain JSON in Envoy's
 * snake_case field names (Bootstrap is not among the generated types); checked in tests with Envoy's own validators.
 *
 * In cluster mode ADS goes over `google_grpc` so the projected ServiceAccount token is re-read from its file for every
 * stream and sent as `authorization: Bearer <token>` (ADR 0009); the channel is TLS, verifying aspen's serving
 * certificate against the trust bundle file. No key material is ever part of the bootstrap: the workload certificate
 * arrives over SDS.
 */
import {
  SIDECAR_ADMIN_PORT,
  adminCluster,
  adsGrpcService,
  statsListener,
  xdsCluster,
} from './bootstrap-parts.js';
import type { Json, JsonObject, XdsConnection } from './bootstrap-parts.js';

export { SIDECAR_ADMIN_PORT, SIDECAR_STATS_PORT, XDS_CLUSTER } from './bootstrap-parts.js';
export type { Json, JsonObject, XdsConnection } from './bootstrap-parts.js';

/** Default address of aspen's xDS service. */
export const DEFAULT_XDS_ADDRESS = 'aspen.aspen-system.svc:15010';
/** Default path of the trust bundle (PEM) inside the sidecar. */
export const DEFAULT_TRUST_BUNDLE_PATH = '/var/run/secrets/aspen/trust-bundle.pem';
/** Default path of the projected ServiceAccount token (audience `aspen`). */
export const DEFAULT_TOKEN_PATH = '/var/run/secrets/tokens/aspen-token';
/** Placeholder for the pod name when it is not known yet (substituted by the injector or `--service-node`). */
export const POD_NAME_PLACEHOLDER = '$POD_NAME';
/** The bootstrap's type URL, for validators. */
export const BOOTSTRAP_TYPE_URL = 'type.googleapis.com/envoy.config.bootstrap.v3.Bootstrap';

const DOWNSTREAM_CONNECTIONS_TYPE =
  'type.googleapis.com/envoy.extensions.resource_monitors.downstream_connections.v3.DownstreamConnectionsConfig';

/** Envoy's Bootstrap as JSON (the parts aspen writes). */
export interface EnvoyBootstrap {
  /** Who the sidecar is: `id` `<namespace>/<pod>`, `cluster` `<namespace>/<workload>` (hints; identity is the token). */
  readonly node: { readonly id: string; readonly cluster: string; readonly metadata: JsonObject };
  /** Admin interface, loopback only. */
  readonly admin: JsonObject;
  /** ADS, and LDS/CDS through it. */
  readonly dynamic_resources: JsonObject;
  /** The stats listener and its admin cluster, plus `xds-grpc` when ADS uses `envoy_grpc`. */
  readonly static_resources: JsonObject;
  /** A static runtime layer only: no admin or disk layers, so runtime cannot be changed at run time. */
  readonly layered_runtime: JsonObject;
  /** Overload protection. */
  readonly overload_manager: JsonObject;
}

/** Inputs of {@link envoyBootstrap}. */
export interface BootstrapOptions {
  /** Namespace of the workload (and the pod). */
  readonly namespace: string;
  /** Workload name (Deployment, StatefulSet, …). */
  readonly workload: string;
  /** Pod name; default {@link POD_NAME_PLACEHOLDER}. */
  readonly pod?: string;
  /** How to reach aspen. */
  readonly xds: XdsConnection;
  /** Limit of downstream connections for the overload manager; default 50 000. */
  readonly maxDownstreamConnections?: number;
}

/** A config source naming the ADS stream (a fresh object each time, so YAML output has no anchors). */
function adsSource(): Json {
  return { ads: {}, resource_api_version: 'V3' };
}

function overloadManager(maxConnections: number): JsonObject {
  return {
    refresh_interval: '0.250s',
    resource_monitors: [
      {
        name: 'envoy.resource_monitors.global_downstream_max_connections',
        typed_config: {
          '@type': DOWNSTREAM_CONNECTIONS_TYPE,
          max_active_downstream_connections: maxConnections,
        },
      },
    ],
  };
}

/** The bootstrap of one sidecar. Pure. */
export function envoyBootstrap(options: BootstrapOptions): EnvoyBootstrap {
  const cluster = `${options.namespace}/${options.workload}`;
  const clusters = [adminCluster(), ...(options.xds.auth === 'none' ? [xdsCluster(options.xds)] : [])];
  return {
    node: {
      id: `${options.namespace}/${options.pod ?? POD_NAME_PLACEHOLDER}`,
      cluster,
      metadata: { 'aspen.dev/workload': cluster },
    },
    admin: { address: { socket_address: { address: '127.0.0.1', port_value: SIDECAR_ADMIN_PORT } } },
    dynamic_resources: {
      ads_config: {
        api_type: 'GRPC',
        transport_api_version: 'V3',
        set_node_on_first_message_only: true,
        grpc_services: [adsGrpcService(options.xds)],
      },
      lds_config: adsSource(),
      cds_config: adsSource(),
    },
    static_resources: { listeners: [statsListener()], clusters },
    layered_runtime: { layers: [{ name: 'static', static_layer: {} }] },
    overload_manager: overloadManager(options.maxDownstreamConnections ?? 50000),
  };
}
