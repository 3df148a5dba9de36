/**
 * Outbound ports that several meshed services share: the original destination port alone cannot tell them apart (the
 * IR has no service IPs), so such a port gets an HTTP connection manager that routes by Host to each service's
 * cluster, and sends any other host to the passthrough. Only HTTP works on such a port; another protocol fails the
 * HTTP codec and the connection is closed (closed, never to the wrong service).
 */
import { Filter, FilterChain } from '../../gen/envoy/config/listener/v3/listener_components.js';
import { RouteConfiguration } from '../../gen/envoy/config/route/v3/route.js';
import { VirtualHost } from '../../gen/envoy/config/route/v3/route_components.js';
import { Router } from '../../gen/envoy/extensions/filters/http/router/v3/router.js';
import { HttpConnectionManager } from '../../gen/envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.js';
import type { OutboundServiceIR } from '../../ir/index.js';
import { durationS, typedConfig } from './common.js';
import { HCM_FILTER } from './hcm.js';
import { ContentMemo } from './memo.js';
import { outboundCluster, outboundRouteName } from './names.js';
import { ROUTE_TIMEOUT_S } from './routes.js';
import { adsConfigSource } from './tls.js';

/** A meshed service on a shared port. */
export interface SharedPortService {
  /** The service, for its key and host. */
  service: OutboundServiceIR;
  /** The shared port. */
  port: number;
}

/** The filter chain of a shared port: HTTP, routes over RDS (outboundRouteName). */
export function sharedPortChain(port: number): FilterChain {
  const hcm = HttpConnectionManager.fromPartial({
    statPrefix: `outbound_${port}`,
    routeSpecifier: {
      $case: 'rds',
      value: { configSource: adsConfigSource(), routeConfigName: outboundRouteName(port) },
    },
    httpFilters: [
      {
        name: 'envoy.filters.http.router',
        configType: typedConfig(Router.fromPartial({ suppressEnvoyHeaders: true })),
      },
    ],
    stripPortMode: { $case: 'stripAnyHostPort', value: true },
  });
  return FilterChain.fromPartial({
    name: outboundRouteName(port),
    filterChainMatch: { destinationPort: port },
    filters: [Filter.fromPartial({ name: HCM_FILTER, configType: typedConfig(hcm) })],
  });
}

/**
 * Virtual hosts by content (ADR 35): every egress scope that lists a service, in the same caller namespace or not,
 * gets the very same object, so the check walks it once (src/xds/check/message.ts memoises virtual hosts by object).
 */
const virtualHosts = new ContentMemo<VirtualHost>(200_000);

/** A service's virtual host on `port`, as a caller in `callerNamespace` sees it. */
function serviceVirtualHost(service: OutboundServiceIR, port: number, callerNamespace: string): VirtualHost {
  const domains = hostNames(service, callerNamespace);
  const cluster = outboundCluster(service.host, port);
  return virtualHosts.get(`${service.host}\n${cluster}\n${domains.join(',')}`, () =>
    virtualHost(service.host, domains, cluster),
  );
}

/** The routes of a shared port: one virtual host per service (its DNS names), then the passthrough for any other. */
export function sharedPortRoutes(
  port: number,
  services: SharedPortService[],
  callerNamespace: string,
  passthroughCluster: string,
): RouteConfiguration {
  const hosts = services.map((s) => serviceVirtualHost(s.service, port, callerNamespace));
  const routes = RouteConfiguration.fromPartial({ name: outboundRouteName(port) });
  // Assigned, not passed to fromPartial (which copies every message): the virtual hosts stay the shared objects.
  routes.virtualHosts = [...hosts, virtualHost(passthroughCluster, ['*'], passthroughCluster)];
  return routes;
}

/**
 * The names a caller may use for a service (the Host header, port stripped): `<name>.<ns>.svc.<cluster-domain>`,
 * `<name>.<ns>.svc`, `<name>.<ns>`, and `<name>` from the service's own namespace (as Kubernetes DNS search paths
 * resolve them).
 */
export function hostNames(service: OutboundServiceIR, callerNamespace: string): string[] {
  const [namespace = '', name = ''] = service.key.split('/');
  const names = [service.host, `${name}.${namespace}.svc`, `${name}.${namespace}`];
  if (namespace === callerNamespace) names.push(name);
  return [...new Set(names)];
}

function virtualHost(name: string, domains: string[], cluster: string): VirtualHost {
  return VirtualHost.fromPartial({
    name,
    domains,
    routes: [
      {
        name: 'default',
        match: { pathSpecifier: { $case: 'prefix', value: '/' } },
        action: {
          $case: 'route',
          value: {
            clusterSpecifier: { $case: 'cluster', value: cluster },
            timeout: durationS(ROUTE_TIMEOUT_S),
          },
        },
      },
    ],
  });
}
