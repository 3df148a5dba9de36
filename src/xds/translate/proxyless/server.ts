/**
 * Server-side Listeners of a proxyless gRPC workload (gRFC A36): one Listener per port and listening address, named
 * by the bootstrap's `server_listener_resource_name_template`, its `address` equal to the address gRPC binds (gRPC
 * checks). One filter chain without a match (gRPC ignores chains matching a destination port or a transport other
 * than `raw_buffer`; separate Listeners give each port its own settings), holding one HTTP connection manager with
 * the RBAC filters and the router, and an inline route configuration whose routes have `non_forwarding_action` (the
 * only action a gRPC server accepts). STRICT ports require a client certificate; DISABLE ports are plaintext.
 */
import { TrafficDirection } from '../../../gen/envoy/config/core/v3/base.js';
import { Listener } from '../../../gen/envoy/config/listener/v3/listener.js';
import { Filter, FilterChain } from '../../../gen/envoy/config/listener/v3/listener_components.js';
import { RouteConfiguration } from '../../../gen/envoy/config/route/v3/route.js';
import { HttpConnectionManager } from '../../../gen/envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.js';
import type { PortIR, ProxyIR } from '../../../ir/index.js';
import { socketAddress, typedConfig } from '../common.js';
import { HCM_FILTER } from '../hcm.js';
import { inboundStatPrefix } from '../names.js';
import { serverListenerName, serverRouteName, WILDCARD_ADDRESSES } from './names.js';
import { portFailsClosed, proxylessRbacFilters, proxylessRouter } from './rbac.js';
import { serverTlsSocket } from './tls.js';

/** Every call is accepted by routing (RBAC decides): one route, prefix `/`, handled by the server itself. */
function serverRoutes(port: number): RouteConfiguration {
  return RouteConfiguration.fromPartial({
    name: serverRouteName(port),
    virtualHosts: [
      {
        name: 'inbound',
        domains: ['*'],
        routes: [
          {
            match: { pathSpecifier: { $case: 'prefix', value: '/' } },
            action: { $case: 'nonForwardingAction', value: {} },
          },
        ],
      },
    ],
  });
}

/** The chain of one port: RBAC, router; TLS unless the port is DISABLE (a port that fails closed is TLS too). */
function serverChain(port: PortIR): FilterChain {
  const hcm = HttpConnectionManager.fromPartial({
    statPrefix: inboundStatPrefix(port.port),
    routeSpecifier: { $case: 'routeConfig', value: serverRoutes(port.port) },
    httpFilters: [...proxylessRbacFilters(port), proxylessRouter()],
  });
  const plaintext = port.enforce.mtls === 'DISABLE' && !portFailsClosed(port);
  return FilterChain.fromPartial({
    name: `inbound|${port.port}`,
    filters: [Filter.fromPartial({ name: HCM_FILTER, configType: typedConfig(hcm) })],
    transportSocket: plaintext ? undefined : serverTlsSocket(),
  });
}

/** The server Listeners of a proxy: per port, one for each wildcard address and each pod address. */
export function serverListeners(proxy: ProxyIR): Listener[] {
  const addresses = [...WILDCARD_ADDRESSES, ...(proxy.workload.addresses ?? [])];
  return proxy.ports.flatMap((port) => {
    const chain = serverChain(port);
    return addresses.map((address) =>
      Listener.fromPartial({
        name: serverListenerName(address, port.port),
        address: socketAddress(address, port.port),
        trafficDirection: TrafficDirection.INBOUND,
        filterChains: [chain],
      }),
    );
  });
}
