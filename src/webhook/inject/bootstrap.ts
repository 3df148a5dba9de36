/**
 * The Envoy bootstrap the injector writes into a pod: aspen's sidecar bootstrap (`envoyBootstrap`, the same as
 * `aspen bootstrap` prints) plus what only the injector knows: the health listener on 15021 (`/healthz/ready`, served
 * from the admin `/ready`, so readiness turns true only once Envoy is initialised; and the rewritten app probes),
 * and `initial_fetch_timeout: 0s` on LDS and CDS so Envoy never initialises without its first configuration.
 */
import { SIDECAR_ADMIN_PORT, envoyBootstrap } from '../../xds/sds/bootstrap.js';
import type { EnvoyBootstrap, Json, JsonObject } from '../../xds/sds/bootstrap.js';
import type { ProbeRoute } from './probes.js';
import { HEALTH_PORT } from './redirect.js';
import type { InjectionSettings } from './settings.js';

const T = 'type.googleapis.com/';
const ADMIN = 'aspen-admin';
/** Path of the proxy's own readiness on the health port. */
export const READY_PATH = '/healthz/ready';

function staticCluster(name: string, port: number, tls: boolean): JsonObject {
  return {
    name,
    type: 'STATIC',
    connect_timeout: '1s',
    load_assignment: {
      cluster_name: name,
      endpoints: [
        {
          lb_endpoints: [
            { endpoint: { address: { socket_address: { address: '127.0.0.1', port_value: port } } } },
          ],
        },
      ],
    },
    // A probe over TLS to the app's own port on loopback: encrypted, not verified (the kubelet does not verify either).
    ...(tls
      ? {
          transport_socket: {
            name: 'envoy.transport_sockets.tls',
            typed_config: { '@type': `${T}envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext` },
          },
        }
      : {}),
  };
}

function probeCluster(route: ProbeRoute): string {
  return `app-probe-${route.port}${route.scheme === 'HTTPS' ? '-tls' : ''}`;
}

function routeTo(path: string, cluster: string, rewrite: string): JsonObject {
  return { match: { path }, route: { cluster, prefix_rewrite: rewrite, timeout: '10s' } };
}

/** The health listener: proxy readiness and the app probes. */
function healthListener(routes: readonly ProbeRoute[]): JsonObject {
  const manager = {
    '@type': `${T}envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager`,
    stat_prefix: 'health',
    route_config: {
      name: 'health',
      virtual_hosts: [
        {
          name: 'health',
          domains: ['*'],
          routes: [
            routeTo(READY_PATH, ADMIN, '/ready'),
            ...routes.map((r) => routeTo(r.path, probeCluster(r), r.targetPath)),
          ],
        },
      ],
    },
    http_filters: [
      {
        name: 'envoy.filters.http.router',
        typed_config: { '@type': `${T}envoy.extensions.filters.http.router.v3.Router` },
      },
    ],
  };
  return {
    name: 'health',
    address: { socket_address: { address: '0.0.0.0', port_value: HEALTH_PORT } },
    filter_chains: [
      { filters: [{ name: 'envoy.filters.network.http_connection_manager', typed_config: manager }] },
    ],
  };
}

function waitForever(source: Json | undefined): Json {
  return { ...(source as JsonObject), initial_fetch_timeout: '0s' };
}

/** Inputs of {@link sidecarBootstrap}. */
export interface SidecarBootstrapOptions {
  /** The injection settings. */
  readonly settings: InjectionSettings;
  /** Namespace of the pod. */
  readonly namespace: string;
  /** Workload name (see `workload.ts`). */
  readonly workload: string;
  /** Routes of the rewritten probes. */
  readonly probes: readonly ProbeRoute[];
}

/** The bootstrap of one injected pod; `node.id` is set at start (`--service-node`), as the pod name may not exist yet. */
export function sidecarBootstrap(options: SidecarBootstrapOptions): EnvoyBootstrap {
  const { settings } = options;
  const base = envoyBootstrap({
    namespace: options.namespace,
    workload: options.workload,
    xds: {
      address: settings.xdsAddress,
      trustBundlePath: settings.trustBundlePath,
      tokenPath: settings.tokenPath,
      auth: 'token',
    },
  });
  const statics = base.static_resources;
  const ports = [...new Map(options.probes.map((r) => [probeCluster(r), r])).values()];
  return {
    ...base,
    dynamic_resources: {
      ...base.dynamic_resources,
      lds_config: waitForever(base.dynamic_resources.lds_config),
      cds_config: waitForever(base.dynamic_resources.cds_config),
    },
    static_resources: {
      listeners: [...(statics.listeners as Json[]), healthListener(options.probes)],
      clusters: [
        ...(statics.clusters as Json[]),
        staticCluster(ADMIN, SIDECAR_ADMIN_PORT, false),
        ...ports.map((r) => staticCluster(probeCluster(r), r.port, r.scheme === 'HTTPS')),
      ],
    },
  };
}
