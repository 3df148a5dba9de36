// A small but real inbound listener: Listener → HttpConnectionManager (typed_config Any) → Router (typed_config Any).
import { Address } from '../../../src/gen/envoy/config/core/v3/address.js';
import { HttpProtocolOptions_HeadersWithUnderscoresAction } from '../../../src/gen/envoy/config/core/v3/protocol.js';
import { Listener } from '../../../src/gen/envoy/config/listener/v3/listener.js';
import { RouteConfiguration } from '../../../src/gen/envoy/config/route/v3/route.js';
import { Router } from '../../../src/gen/envoy/extensions/filters/http/router/v3/router.js';
import {
  HttpConnectionManager,
  HttpConnectionManager_PathWithEscapedSlashesAction,
} from '../../../src/gen/envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.js';
import { packAny } from '../../../src/xds/proto/any.js';

export const LISTENER_TYPE_URL = 'type.googleapis.com/envoy.config.listener.v3.Listener';
export const HCM_TYPE_URL =
  'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';
export const ROUTER_TYPE_URL = 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router';

export function router(): Router {
  return Router.fromPartial({ suppressEnvoyHeaders: true });
}

export function httpConnectionManager(): HttpConnectionManager {
  return HttpConnectionManager.fromPartial({
    statPrefix: 'inbound_8080',
    routeSpecifier: {
      $case: 'routeConfig',
      value: RouteConfiguration.fromPartial({
        name: 'inbound|8080',
        virtualHosts: [
          {
            name: 'app',
            domains: ['*'],
            routes: [
              {
                match: { pathSpecifier: { $case: 'prefix', value: '/' } },
                action: {
                  $case: 'route',
                  value: { clusterSpecifier: { $case: 'cluster', value: 'inbound|8080' } },
                },
              },
            ],
          },
        ],
      }),
    },
    httpFilters: [
      { name: 'envoy.filters.http.router', configType: { $case: 'typedConfig', value: packAny(router()) } },
    ],
    commonHttpProtocolOptions: {
      headersWithUnderscoresAction: HttpProtocolOptions_HeadersWithUnderscoresAction.REJECT_REQUEST,
    },
    maxRequestHeadersKb: 60,
    streamIdleTimeout: { seconds: 300 },
    requestTimeout: { seconds: 1, nanos: 500_000_000 },
    normalizePath: true,
    mergeSlashes: true,
    pathWithEscapedSlashesAction: HttpConnectionManager_PathWithEscapedSlashesAction.UNESCAPE_AND_REDIRECT,
  });
}

export function listener(): Listener {
  return Listener.fromPartial({
    name: 'inbound_15006',
    address: Address.fromPartial({
      address: {
        $case: 'socketAddress',
        value: { address: '0.0.0.0', portSpecifier: { $case: 'portValue', value: 15006 } },
      },
    }),
    filterChains: [
      {
        filters: [
          {
            name: 'envoy.filters.network.http_connection_manager',
            configType: { $case: 'typedConfig', value: packAny(httpConnectionManager()) },
          },
        ],
      },
    ],
  });
}

/** The canonical JSON of listener(), as Go's protojson prints it. */
export const LISTENER_JSON = {
  name: 'inbound_15006',
  address: { socketAddress: { address: '0.0.0.0', portValue: 15006 } },
  filterChains: [
    {
      filters: [
        {
          name: 'envoy.filters.network.http_connection_manager',
          typedConfig: {
            '@type': HCM_TYPE_URL,
            statPrefix: 'inbound_8080',
            routeConfig: {
              name: 'inbound|8080',
              virtualHosts: [
                {
                  name: 'app',
                  domains: ['*'],
                  routes: [{ match: { prefix: '/' }, route: { cluster: 'inbound|8080' } }],
                },
              ],
            },
            httpFilters: [
              {
                name: 'envoy.filters.http.router',
                typedConfig: { '@type': ROUTER_TYPE_URL, suppressEnvoyHeaders: true },
              },
            ],
            commonHttpProtocolOptions: { headersWithUnderscoresAction: 'REJECT_REQUEST' },
            maxRequestHeadersKb: 60,
            streamIdleTimeout: '300s',
            requestTimeout: '1.500s',
            normalizePath: true,
            mergeSlashes: true,
            pathWithEscapedSlashesAction: 'UNESCAPE_AND_REDIRECT',
          },
        },
      ],
    },
  ],
};
