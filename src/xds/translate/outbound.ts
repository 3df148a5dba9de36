/**
 * The outbound side: the workload's own connections to other meshed workloads leave over mTLS, with the server's
 * SPIFFE ID checked. iptables redirects outbound connections to the sidecar's outbound port; `use_original_dst`
 * restores the address the application dialled, and a filter chain per meshed service port (matched on the original
 * destination port) proxies the connection to that service's cluster. Anything else goes to `passthrough`, unchanged.
 *
 * Chains match on the destination port only (the IR has no service IPs). A port that one meshed service uses gets a
 * TCP proxy (any protocol); a port that several share gets Host-based HTTP routing (outbound-http.ts), so on such a
 * port only HTTP works. Matching on service IPs would lift that limitation.
 */
import {
  Cluster,
  Cluster_DiscoveryType,
  Cluster_LbPolicy,
} from '../../gen/envoy/config/cluster/v3/cluster.js';
import { TrafficDirection } from '../../gen/envoy/config/core/v3/base.js';
import { Listener } from '../../gen/envoy/config/listener/v3/listener.js';
import { Filter, FilterChain } from '../../gen/envoy/config/listener/v3/listener_components.js';
import type { RouteConfiguration } from '../../gen/envoy/config/route/v3/route.js';
import { TcpProxy } from '../../gen/envoy/extensions/filters/network/tcp_proxy/v3/tcp_proxy.js';
import type { OutboundPortIR, OutboundServiceIR } from '../../ir/index.js';
import { byString, durationS, socketAddress, typedConfig } from './common.js';
import { CONNECT_TIMEOUT_S, dnsCluster } from './clusters.js';
import type { XdsTranslateConfig } from './config.js';
import { OUTBOUND_LISTENER, outboundCluster } from './names.js';
import { sharedPortChain, sharedPortRoutes } from './outbound-http.js';
import { upstreamTlsSocket } from './tls.js';

/** The ORIGINAL_DST cluster for destinations outside the mesh. */
export const PASSTHROUGH_CLUSTER = 'passthrough';

/** Name of the TCP proxy network filter. */
export const TCP_PROXY_FILTER = 'envoy.filters.network.tcp_proxy';

/** One service port the outbound side routes. */
export interface OutboundTarget {
  /** The service. */
  service: OutboundServiceIR;
  /** The service port. */
  port: OutboundPortIR;
}

/** The outbound side of a proxy. */
export interface OutboundResources {
  /** The outbound listener. */
  listener: Listener;
  /** One cluster per routed service port, and `passthrough`. */
  clusters: Cluster[];
  /** Host-based routes of ports that several services share. */
  routes: RouteConfiguration[];
}

/**
 * The outbound listener, clusters and routes; `callerNamespace` is the workload's namespace (short host names).
 * `clusterOf` builds each service port's cluster (shared-outbound.ts passes a memoised one).
 */
export function outbound(
  services: readonly OutboundServiceIR[],
  config: XdsTranslateConfig,
  callerNamespace: string,
  clusterOf: (target: OutboundTarget) => Cluster = serviceCluster,
): OutboundResources {
  const targets = routedTargets(services);
  const byPort = groupByPort(targets);
  const chains = [...byPort].map(([port, group]) =>
    group.length === 1 && group[0] !== undefined
      ? tcpChain(`outbound|${port}`, port, outboundCluster(group[0].service.host, port))
      : sharedPortChain(port),
  );
  const routes = [...byPort]
    .filter(([, group]) => group.length > 1)
    .map(([port, group]) =>
      sharedPortRoutes(
        port,
        group.map((t) => ({ service: t.service, port })),
        callerNamespace,
        PASSTHROUGH_CLUSTER,
      ),
    );
  const listener = Listener.fromPartial({
    name: OUTBOUND_LISTENER,
    address: socketAddress('0.0.0.0', config.sidecar.outbound),
    trafficDirection: TrafficDirection.OUTBOUND,
    useOriginalDst: true,
    filterChains: chains,
    defaultFilterChain: tcpChain(PASSTHROUGH_CLUSTER, undefined, PASSTHROUGH_CLUSTER),
  });
  return { listener, clusters: [...targets.map(clusterOf), passthroughCluster()], routes };
}

/** Service ports with at least one destination (a port without any has no identity to check), sorted by port, host. */
export function routedTargets(services: readonly OutboundServiceIR[]): OutboundTarget[] {
  return services
    .flatMap((service) =>
      service.ports.filter((p) => p.destinations.length > 0).map((port) => ({ service, port })),
    )
    .sort((a, b) => a.port.port - b.port.port || byString(a.service.host, b.service.host));
}

/** Targets grouped by port number, in port order. */
function groupByPort(targets: OutboundTarget[]): Map<number, OutboundTarget[]> {
  const groups = new Map<number, OutboundTarget[]>();
  for (const t of targets) groups.set(t.port.port, [...(groups.get(t.port.port) ?? []), t]);
  return groups;
}

/** The cluster of one service port: mTLS with a SAN check on every identity behind the port, unless all are DISABLE. */
export function serviceCluster(target: OutboundTarget): Cluster {
  const { port } = target;
  const host = target.service.host;
  return dnsCluster(outboundCluster(host, port.port), {
    target: { host, port: port.port },
    transportSocket: port.tls ? upstreamTlsSocket(host, port.identities) : undefined,
  });
}

/** A filter chain (matched on `port` when given) proxying TCP to `cluster`. */
function tcpChain(name: string, port: number | undefined, cluster: string): FilterChain {
  const proxy = TcpProxy.fromPartial({
    statPrefix: name,
    clusterSpecifier: { $case: 'cluster', value: cluster },
  });
  return FilterChain.fromPartial({
    name,
    filterChainMatch: port === undefined ? undefined : { destinationPort: port },
    filters: [Filter.fromPartial({ name: TCP_PROXY_FILTER, configType: typedConfig(proxy) })],
  });
}

/** Connections to non-mesh destinations go where the application sent them. */
function passthroughCluster(): Cluster {
  return Cluster.fromPartial({
    name: PASSTHROUGH_CLUSTER,
    clusterDiscoveryType: { $case: 'type', value: Cluster_DiscoveryType.ORIGINAL_DST },
    lbPolicy: Cluster_LbPolicy.CLUSTER_PROVIDED,
    connectTimeout: durationS(CONNECT_TIMEOUT_S),
  });
}
