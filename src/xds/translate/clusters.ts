/**
 * Clusters: the local application behind each inbound port, and aspen's per-request services (the dataplane) that
 * filter modules call. Filter modules return `dataplaneCluster(config)` from `build()` when they reference
 * DATAPLANE_CLUSTER; the orchestrator de-duplicates clusters by name.
 */
import { Cluster, Cluster_DiscoveryType } from '../../gen/envoy/config/cluster/v3/cluster.js';
import type { TransportSocket } from '../../gen/envoy/config/core/v3/base.js';
import { ClusterLoadAssignment } from '../../gen/envoy/config/endpoint/v3/endpoint.js';
import { HttpProtocolOptions } from '../../gen/envoy/extensions/upstreams/http/v3/http_protocol_options.js';
import { packAny } from '../proto/any.js';
import { durationS, socketAddress } from './common.js';
import type { HostPort, XdsTranslateConfig } from './config.js';
import { DATAPLANE_CLUSTER, localAppCluster } from './names.js';
import { upstreamTlsSocket } from './tls.js';

/** Connect timeout of every cluster: peers are in the same cluster network, so a slow connect means trouble. */
export const CONNECT_TIMEOUT_S = 5;

/** The extension key of upstream HTTP protocol options in `typed_extension_protocol_options`. */
const HTTP_PROTOCOL_OPTIONS = 'envoy.extensions.upstreams.http.v3.HttpProtocolOptions';

/** A load assignment with one endpoint per address (in the given order). */
export function loadAssignment(clusterName: string, addresses: readonly HostPort[]): ClusterLoadAssignment {
  return ClusterLoadAssignment.fromPartial({
    clusterName,
    endpoints: [
      {
        lbEndpoints: addresses.map((a) => ({
          hostIdentifier: { $case: 'endpoint', value: { address: socketAddress(a.host, a.port) } },
        })),
      },
    ],
  });
}

/** What `dnsCluster` needs beyond the name. */
export interface DnsClusterOptions {
  /** Where to connect. */
  target: HostPort;
  /** TLS (or none for plaintext). */
  transportSocket?: TransportSocket;
  /** Speak HTTP/2 to the upstream (gRPC services). */
  http2?: boolean;
}

/** A STRICT_DNS cluster to one host and port, with load assignment inline (no EDS). */
export function dnsCluster(name: string, options: DnsClusterOptions): Cluster {
  return Cluster.fromPartial({
    name,
    clusterDiscoveryType: { $case: 'type', value: Cluster_DiscoveryType.STRICT_DNS },
    connectTimeout: durationS(CONNECT_TIMEOUT_S),
    loadAssignment: loadAssignment(name, [options.target]),
    transportSocket: options.transportSocket,
    typedExtensionProtocolOptions: options.http2 === true ? { [HTTP_PROTOCOL_OPTIONS]: http2Options() } : {},
  });
}

/** Upstream HTTP protocol options forcing HTTP/2. */
function http2Options(): ReturnType<typeof packAny> {
  return packAny(
    HttpProtocolOptions.fromPartial({
      upstreamProtocolOptions: {
        $case: 'explicitHttpConfig',
        value: { protocolConfig: { $case: 'http2ProtocolOptions', value: {} } },
      },
    }),
  );
}

/** The application behind one inbound port: plaintext on loopback. */
export function localAppClusterFor(port: number): Cluster {
  const name = localAppCluster(port);
  return Cluster.fromPartial({
    name,
    clusterDiscoveryType: { $case: 'type', value: Cluster_DiscoveryType.STATIC },
    connectTimeout: durationS(CONNECT_TIMEOUT_S),
    loadAssignment: loadAssignment(name, [{ host: '127.0.0.1', port }]),
  });
}

/**
 * aspen's per-request services (API-key check, rate limit, access log): gRPC over HTTP/2 and mTLS, the server
 * certificate checked against the trust bundle and the dataplane's SPIFFE ID. Filter modules that reference
 * DATAPLANE_CLUSTER return this from `build()`.
 */
export function dataplaneCluster(config: XdsTranslateConfig): Cluster {
  return dnsCluster(DATAPLANE_CLUSTER, {
    target: config.dataplane,
    transportSocket: upstreamTlsSocket(config.dataplane.host, [config.dataplaneIdentity], ['h2']),
    http2: true,
  });
}
