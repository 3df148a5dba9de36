/**
 * The client side of a proxyless gRPC workload: for every meshed service port, what a channel to
 * `xds:///<name>.<namespace>.svc.<cluster-domain>:<port>` resolves through — an `api_listener` Listener named after
 * the target, its RouteConfiguration (RDS), a Cluster and the endpoints.
 *
 * Endpoints: when the provider knows the pod IPs of the workloads behind the port (a cluster provider reads them from
 * the pods; in file mode the annotation `aspen.dev/addresses`), the Cluster is EDS and a ClusterLoadAssignment lists
 * `<ip>:<target port>` of each; otherwise the Cluster is LOGICAL_DNS on the service's DNS name and port (in a cluster,
 * kube-proxy then picks the pod). Connections use mTLS with the server's SPIFFE ID checked unless every destination
 * is plaintext (IR `tls`).
 */
import {
  Cluster,
  Cluster_DiscoveryType,
  Cluster_LbPolicy,
} from '../../../gen/envoy/config/cluster/v3/cluster.js';
import { ClusterLoadAssignment } from '../../../gen/envoy/config/endpoint/v3/endpoint.js';
import { Listener } from '../../../gen/envoy/config/listener/v3/listener.js';
import { RouteConfiguration } from '../../../gen/envoy/config/route/v3/route.js';
import { HttpConnectionManager } from '../../../gen/envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.js';
import type { OutboundPortIR, OutboundServiceIR } from '../../../ir/index.js';
import { packAny } from '../../proto/any.js';
import { durationS, socketAddress } from '../common.js';
import { CONNECT_TIMEOUT_S, loadAssignment } from '../clusters.js';
import { outboundCluster } from '../names.js';
import { adsConfigSource } from '../tls.js';
import { clientListenerName } from './names.js';
import { proxylessRouter } from './rbac.js';
import { clientTlsSocket } from './tls.js';

/** The client resources of a proxy. */
export interface ClientResources {
  listeners: Listener[];
  routes: RouteConfiguration[];
  clusters: Cluster[];
  endpoints: ClusterLoadAssignment[];
}

function clientListener(host: string, port: number, name: string): Listener {
  const hcm = HttpConnectionManager.fromPartial({
    statPrefix: 'outbound',
    routeSpecifier: { $case: 'rds', value: { configSource: adsConfigSource(), routeConfigName: name } },
    httpFilters: [proxylessRouter()],
  });
  return Listener.fromPartial({
    name: clientListenerName(host, port),
    apiListener: { apiListener: packAny(hcm) },
  });
}

function clientRoutes(name: string): RouteConfiguration {
  return RouteConfiguration.fromPartial({
    name,
    virtualHosts: [
      {
        name,
        domains: ['*'],
        routes: [
          {
            match: { pathSpecifier: { $case: 'prefix', value: '/' } },
            action: { $case: 'route', value: { clusterSpecifier: { $case: 'cluster', value: name } } },
          },
        ],
      },
    ],
  });
}

/** `<ip>:<target port>` of every destination with known addresses, sorted. */
function endpointAddresses(port: OutboundPortIR): { host: string; port: number }[] {
  return port.destinations
    .flatMap((d) => (d.addresses ?? []).map((host) => ({ host, port: d.targetPort })))
    .sort((a, b) => (a.host < b.host ? -1 : a.host > b.host ? 1 : a.port - b.port));
}

/** The EDS assignment: one locality, present and weighted (gRPC NACKs one without `locality`, ignores one without a weight). */
function edsAssignment(name: string, addresses: { host: string; port: number }[]): ClusterLoadAssignment {
  return ClusterLoadAssignment.fromPartial({
    clusterName: name,
    endpoints: [
      {
        locality: {},
        loadBalancingWeight: 1,
        lbEndpoints: addresses.map((a) => ({
          hostIdentifier: { $case: 'endpoint', value: { address: socketAddress(a.host, a.port) } },
        })),
      },
    ],
  });
}

function cluster(name: string, service: OutboundServiceIR, port: OutboundPortIR, eds: boolean): Cluster {
  const common = {
    name,
    connectTimeout: durationS(CONNECT_TIMEOUT_S),
    lbPolicy: Cluster_LbPolicy.ROUND_ROBIN,
    transportSocket: port.tls ? clientTlsSocket(port.identities) : undefined,
  };
  if (eds) {
    return Cluster.fromPartial({
      ...common,
      clusterDiscoveryType: { $case: 'type', value: Cluster_DiscoveryType.EDS },
      edsClusterConfig: { edsConfig: adsConfigSource() },
    });
  }
  return Cluster.fromPartial({
    ...common,
    clusterDiscoveryType: { $case: 'type', value: Cluster_DiscoveryType.LOGICAL_DNS },
    loadAssignment: loadAssignment(name, [{ host: service.host, port: port.port }]),
  });
}

/** Every client resource of the proxy's outbound services, in service and port order. */
export function clientResources(services: readonly OutboundServiceIR[]): ClientResources {
  const out: ClientResources = { listeners: [], routes: [], clusters: [], endpoints: [] };
  for (const service of services) {
    for (const port of service.ports) {
      const name = outboundCluster(service.host, port.port);
      const addresses = endpointAddresses(port);
      out.listeners.push(clientListener(service.host, port.port, name));
      out.routes.push(clientRoutes(name));
      out.clusters.push(cluster(name, service, port, addresses.length > 0));
      if (addresses.length > 0) out.endpoints.push(edsAssignment(name, addresses));
    }
  }
  return out;
}
