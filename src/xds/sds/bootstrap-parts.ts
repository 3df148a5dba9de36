/**
 * Pieces of the sidecar bootstrap (see `bootstrap.ts`): how the sidecar reaches aspen's xDS service, and the
 * Prometheus stats listener. Plain JSON in Envoy's snake_case field names.
 */
import { isIP } from 'node:net';

/** A JSON value. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
/** A JSON object. */
export type JsonObject = { [key: string]: Json };

/** Name of the static cluster that carries ADS when `envoy_grpc` is used (`auth: none`). */
export const XDS_CLUSTER = 'xds-grpc';
/** Prometheus stats port of the sidecar. */
export const SIDECAR_STATS_PORT = 15090;
/** Admin port of the sidecar (loopback only). */
export const SIDECAR_ADMIN_PORT = 15000;

const T = 'type.googleapis.com/';
const FILE_BASED_METADATA = 'envoy.grpc_credentials.file_based_metadata';
const HTTP_OPTIONS = 'envoy.extensions.upstreams.http.v3.HttpProtocolOptions';
const TLS_SOCKET = 'envoy.transport_sockets.tls';
const ADMIN_CLUSTER = 'prometheus_stats';

/** How the sidecar connects to aspen's xDS service. */
export interface XdsConnection {
  /** `host:port` (host a DNS name or an IP literal; IPv6 in brackets). */
  readonly address: string;
  /** Trust bundle PEM path (TLS only). */
  readonly trustBundlePath: string;
  /** Projected ServiceAccount token path (`token` auth only). */
  readonly tokenPath: string;
  /**
   * `token` (cluster mode, ADR 0009): `google_grpc`, TLS, the token file as call credentials. `none` (file mode,
   * `aspen serve`): `envoy_grpc` over the static `xds-grpc` cluster, TLS unless `plaintext`.
   */
  readonly auth: 'token' | 'none';
  /** No TLS: loopback development against `aspen serve --xds-insecure` only; never with `token`. */
  readonly plaintext?: boolean;
}

/** Host and port of `host:port`, brackets removed from an IPv6 host. */
export function splitAddress(address: string): { host: string; port: number } {
  const colon = address.lastIndexOf(':');
  const host = address.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
  return { host, port: Number(address.slice(colon + 1)) };
}

function googleGrpc(xds: XdsConnection): JsonObject {
  return {
    google_grpc: {
      target_uri: xds.address,
      stat_prefix: 'xds_grpc',
      channel_credentials: { ssl_credentials: { root_certs: { filename: xds.trustBundlePath } } },
      credentials_factory_name: FILE_BASED_METADATA,
      call_credentials: [
        {
          from_plugin: {
            name: FILE_BASED_METADATA,
            typed_config: {
              '@type': `${T}envoy.config.grpc_credential.v3.FileBasedMetadataConfig`,
              secret_data: { filename: xds.tokenPath },
              header_key: 'authorization',
              header_prefix: 'Bearer ',
            },
          },
        },
      ],
    },
  };
}

/** The gRPC service of the ADS config source. */
export function adsGrpcService(xds: XdsConnection): JsonObject {
  return xds.auth === 'token' ? googleGrpc(xds) : { envoy_grpc: { cluster_name: XDS_CLUSTER } };
}

function upstreamTls(host: string, trustBundlePath: string): JsonObject {
  const ip = isIP(host) !== 0;
  return {
    name: TLS_SOCKET,
    typed_config: {
      '@type': `${T}envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext`,
      ...(ip ? {} : { sni: host }),
      common_tls_context: {
        tls_params: { tls_minimum_protocol_version: 'TLSv1_2' },
        alpn_protocols: ['h2'],
        validation_context: {
          trusted_ca: { filename: trustBundlePath },
          match_typed_subject_alt_names: [{ san_type: ip ? 'IP_ADDRESS' : 'DNS', matcher: { exact: host } }],
        },
      },
    },
  };
}

function staticCluster(name: string, host: string, port: number): JsonObject {
  return {
    name,
    type: isIP(host) === 0 ? 'STRICT_DNS' : 'STATIC',
    connect_timeout: '5s',
    load_assignment: {
      cluster_name: name,
      endpoints: [
        {
          lb_endpoints: [{ endpoint: { address: { socket_address: { address: host, port_value: port } } } }],
        },
      ],
    },
  };
}

/** The static `xds-grpc` cluster (HTTP/2; TLS verifying aspen's serving certificate unless plaintext). */
export function xdsCluster(xds: XdsConnection): JsonObject {
  const { host, port } = splitAddress(xds.address);
  return {
    ...staticCluster(XDS_CLUSTER, host, port),
    typed_extension_protocol_options: {
      [HTTP_OPTIONS]: {
        '@type': `${T}${HTTP_OPTIONS}`,
        explicit_http_config: {
          http2_protocol_options: { connection_keepalive: { interval: '30s', timeout: '10s' } },
        },
      },
    },
    ...(xds.plaintext === true ? {} : { transport_socket: upstreamTls(host, xds.trustBundlePath) }),
  };
}

/** The loopback cluster of the admin interface, for the stats listener. */
export function adminCluster(): JsonObject {
  return staticCluster(ADMIN_CLUSTER, '127.0.0.1', SIDECAR_ADMIN_PORT);
}

/** A listener on 15090 exposing only `/stats/prometheus` of the admin interface (everything else 404). */
export function statsListener(): JsonObject {
  const manager = {
    '@type': `${T}envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager`,
    stat_prefix: 'stats',
    route_config: {
      name: 'stats',
      virtual_hosts: [
        {
          name: 'stats',
          domains: ['*'],
          routes: [{ match: { path: '/stats/prometheus' }, route: { cluster: ADMIN_CLUSTER } }],
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
    name: 'stats',
    address: { socket_address: { address: '0.0.0.0', port_value: SIDECAR_STATS_PORT } },
    filter_chains: [
      { filters: [{ name: 'envoy.filters.network.http_connection_manager', typed_config: manager }] },
    ],
  };
}
