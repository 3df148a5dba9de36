/** Small Envoy resources for the checker's tests, built with the generated types. */
import { Cluster } from '../../../src/gen/envoy/config/cluster/v3/cluster.js';
import { Listener } from '../../../src/gen/envoy/config/listener/v3/listener.js';
import { RouteConfiguration } from '../../../src/gen/envoy/config/route/v3/route.js';
import { Router } from '../../../src/gen/envoy/extensions/filters/http/router/v3/router.js';
import { HttpConnectionManager } from '../../../src/gen/envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.js';
import type { HttpFilter } from '../../../src/gen/envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.js';
import type { DeepPartial } from '../../../src/gen/envoy/config/listener/v3/listener.js';
import { packAny } from '../../../src/xds/proto/any.js';
import { messageTypeByName } from '../../../src/xds/proto/registry.js';
import type { UnknownMessage } from '../../../src/xds/proto/registry.js';
import type { XdsResources } from '../../../src/xds/translate/resources.js';

/** A message of the given full name from a partial object (registry lookup; fields unchecked by tsc). */
export function make(fullName: string, partial: object): UnknownMessage {
  return messageTypeByName(fullName).fromPartial(partial);
}

/** The router HTTP filter. */
export function routerFilter(): DeepPartial<HttpFilter> {
  return {
    name: 'envoy.filters.http.router',
    configType: { $case: 'typedConfig', value: packAny(Router.fromPartial({})) },
  };
}

/** An HCM using RDS route `route` and the given HTTP filters (default: router only). */
export function hcm(overrides: DeepPartial<HttpConnectionManager> = {}): HttpConnectionManager {
  return HttpConnectionManager.fromPartial({
    statPrefix: 'inbound_8080',
    routeSpecifier: {
      $case: 'rds',
      value: {
        routeConfigName: 'route',
        configSource: { configSourceSpecifier: { $case: 'ads', value: {} } },
      },
    },
    httpFilters: [routerFilter()],
    ...overrides,
  });
}

/** A listener on 0.0.0.0:15006 with one filter chain per HCM given. */
export function listener(
  hcms: HttpConnectionManager[] = [hcm()],
  overrides: DeepPartial<Listener> = {},
): Listener {
  return Listener.fromPartial({
    name: 'inbound',
    address: {
      address: {
        $case: 'socketAddress',
        value: { address: '0.0.0.0', portSpecifier: { $case: 'portValue', value: 15006 } },
      },
    },
    filterChains: hcms.map((h, i) => ({
      filterChainMatch: { destinationPort: 8080 + i },
      filters: [
        {
          name: 'envoy.filters.network.http_connection_manager',
          configType: { $case: 'typedConfig', value: packAny(h) },
        },
      ],
    })),
    ...overrides,
  });
}

/** Route configuration `route` sending everything to `cluster`. */
export function routes(cluster = 'local_app'): RouteConfiguration {
  return RouteConfiguration.fromPartial({
    name: 'route',
    virtualHosts: [
      {
        name: 'all',
        domains: ['*'],
        routes: [
          {
            match: { pathSpecifier: { $case: 'prefix', value: '/' } },
            action: { $case: 'route', value: { clusterSpecifier: { $case: 'cluster', value: cluster } } },
          },
        ],
      },
    ],
  });
}

/** A static cluster. */
export function cluster(name = 'local_app'): Cluster {
  return Cluster.fromPartial({
    name,
    connectTimeout: { seconds: 1 },
    clusterDiscoveryType: { $case: 'type', value: 0 },
    loadAssignment: {
      clusterName: name,
      endpoints: [
        {
          lbEndpoints: [
            {
              hostIdentifier: {
                $case: 'endpoint',
                value: {
                  address: {
                    address: {
                      $case: 'socketAddress',
                      value: { address: '127.0.0.1', portSpecifier: { $case: 'portValue', value: 8080 } },
                    },
                  },
                },
              },
            },
          ],
        },
      ],
    },
  });
}

/** A valid resource set: one listener, its routes and its cluster. */
export function resources(overrides: Partial<XdsResources> = {}): XdsResources {
  return {
    listeners: [listener()],
    routes: [routes()],
    clusters: [cluster()],
    endpoints: [],
    secrets: [],
    ...overrides,
  };
}
