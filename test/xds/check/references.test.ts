import { expect } from 'chai';
import { TcpProxy } from '../../../src/gen/envoy/extensions/filters/network/tcp_proxy/v3/tcp_proxy.js';
import { ExtAuthz } from '../../../src/gen/envoy/extensions/filters/http/ext_authz/v3/ext_authz.js';
import {
  JwtAuthentication,
  PerRouteConfig,
} from '../../../src/gen/envoy/extensions/filters/http/jwt_authn/v3/config.js';
import { DownstreamTlsContext } from '../../../src/gen/envoy/extensions/transport_sockets/tls/v3/tls.js';
import { assertValid, checkResources, InvalidResourcesError } from '../../../src/xds/check/check.js';
import { formatProblem } from '../../../src/xds/check/problem.js';
import { packAny } from '../../../src/xds/proto/any.js';
import { cluster, hcm, listener, resources, routerFilter, routes } from './fixtures.js';

const HCM_PATH = 'Listener.filter_chains[0].filters[0].typed_config(HttpConnectionManager)';

function problems(overrides: Parameters<typeof resources>[0], sdsSecrets: string[] = []): string[] {
  return checkResources(resources(overrides), { sdsSecrets }).map(formatProblem);
}

function withFilter(config: { $type: string }, name = 'f'): ReturnType<typeof hcm> {
  return hcm({
    httpFilters: [{ name, configType: { $case: 'typedConfig', value: packAny(config) } }, routerFilter()],
  });
}

function jwt(providerName: string): JwtAuthentication {
  return JwtAuthentication.fromPartial({
    providers: {
      idp: {
        issuer: 'https://idp',
        jwksSourceSpecifier: {
          $case: 'remoteJwks',
          value: {
            httpUri: {
              uri: 'https://idp/jwks',
              httpUpstreamType: { $case: 'cluster', value: 'idp' },
              timeout: { seconds: 5 },
            },
          },
        },
      },
    },
    rules: [
      {
        match: { pathSpecifier: { $case: 'prefix', value: '/' } },
        requirementType: {
          $case: 'requires',
          value: { requiresType: { $case: 'providerName', value: providerName } },
        },
      },
    ],
  });
}

describe('xds/check checkResources: load-time references', () => {
  it('passes a consistent set', () => {
    expect(problems({})).to.deep.equal([]);
    expect(() => assertValid(resources(), { sdsSecrets: [] })).not.to.throw();
  });

  it('router not last', () => {
    const h = hcm({
      httpFilters: [
        routerFilter(),
        { name: 'envoy.filters.http.rbac', configType: { $case: 'typedConfig', value: packAny(jwt('idp')) } },
      ],
    });
    expect(problems({ listeners: [listener([h])], clusters: [cluster(), cluster('idp')] })).to.deep.equal([
      `Listener inbound: ${HCM_PATH}.http_filters[0]: the router (envoy.filters.http.router) is a terminal filter and must be the last HTTP filter`,
      `Listener inbound: ${HCM_PATH}.http_filters[1]: the last HTTP filter (envoy.filters.http.rbac) must be the router (envoy.extensions.filters.http.router.v3.Router)`,
    ]);
  });

  it('no HTTP filters at all', () => {
    expect(problems({ listeners: [listener([hcm({ httpFilters: [] })])] })).to.deep.equal([
      `Listener inbound: ${HCM_PATH}.http_filters: no HTTP filters: the router must be last`,
    ]);
  });

  it('missing RDS route configuration', () => {
    expect(problems({ routes: [] })).to.deep.equal([
      `Listener inbound: ${HCM_PATH}.rds.route_config_name: route configuration "route" is not in the routes sent`,
    ]);
  });

  it('missing cluster: route, weighted clusters, remote JWKS, ext_authz gRPC', () => {
    expect(problems({ clusters: [] })).to.deep.equal([
      'RouteConfiguration route: RouteConfiguration.virtual_hosts[0].routes[0].route.cluster: cluster "local_app" is not in the clusters sent',
    ]);
    const authz = ExtAuthz.fromPartial({
      services: {
        $case: 'grpcService',
        value: { targetSpecifier: { $case: 'envoyGrpc', value: { clusterName: 'authz' } } },
      },
    });
    expect(problems({ listeners: [listener([withFilter(jwt('idp')), withFilter(authz)])] })).to.have.members([
      'Listener inbound: Listener.filter_chains[0].filters[0].typed_config(HttpConnectionManager).http_filters[0].typed_config(JwtAuthentication).providers[idp].remote_jwks.http_uri.cluster: cluster "idp" is not in the clusters sent',
      'Listener inbound: Listener.filter_chains[1].filters[0].typed_config(HttpConnectionManager).http_filters[0].typed_config(ExtAuthz).grpc_service.envoy_grpc.cluster_name: cluster "authz" is not in the clusters sent',
    ]);
  });

  it('reports a reference inside a shared virtual host object at every place, in every configuration (ADR 35)', () => {
    const shared = routes('gone').virtualHosts[0];
    if (shared === undefined) throw new Error('fixture has a virtual host');
    const first = routes();
    first.virtualHosts = [shared, shared];
    const second = routes();
    second.name = 'other';
    second.virtualHosts = [shared];
    const at = (config: string, i: number): string =>
      `RouteConfiguration ${config}: RouteConfiguration.virtual_hosts[${i}].routes[0].route.cluster: cluster "gone" is not in the clusters sent`;
    expect(problems({ routes: [first, second] })).to.deep.equal([
      at('other', 0),
      at('route', 0),
      at('route', 1),
    ]);
  });

  it('reports a reference inside the same Any content at every place, each with its own path', () => {
    const expected = [0, 1].map(
      (i) =>
        `Listener inbound: Listener.filter_chains[${i}].filters[0].typed_config(HttpConnectionManager).http_filters[0].typed_config(JwtAuthentication).providers[idp].remote_jwks.http_uri.cluster: cluster "idp" is not in the clusters sent`,
    );
    expect(
      problems({ listeners: [listener([withFilter(jwt('idp')), withFilter(jwt('idp'))])] }),
    ).to.deep.equal(expected);
    expect(
      problems({ listeners: [listener([withFilter(jwt('idp')), withFilter(jwt('idp'))])] }),
    ).to.deep.equal(expected);
    const clusters = [cluster(), cluster('idp')];
    expect(
      problems({ listeners: [listener([withFilter(jwt('idp')), withFilter(jwt('idp'))])], clusters }),
    ).to.deep.equal([]);
  });

  it('unknown SDS secret', () => {
    const tls = DownstreamTlsContext.fromPartial({
      commonTlsContext: { tlsCertificateSdsSecretConfigs: [{ name: 'default' }, { name: 'spiffe://x' }] },
    });
    const l = listener([hcm()]);
    const chain = l.filterChains[0];
    if (chain === undefined) throw new Error('no chain');
    chain.transportSocket = {
      $type: 'envoy.config.core.v3.TransportSocket',
      name: 'tls',
      configType: { $case: 'typedConfig', value: packAny(tls) },
    };
    expect(problems({ listeners: [l] }, ['default'])).to.deep.equal([
      'Listener inbound: Listener.filter_chains[0].transport_socket.typed_config(DownstreamTlsContext).common_tls_context.tls_certificate_sds_secret_configs[1].name: SDS secret "spiffe://x" is not a known SDS name',
    ]);
    expect(problems({ listeners: [l] }, ['default', 'spiffe://x'])).to.deep.equal([]);
  });

  it('JWT requirement naming a missing provider', () => {
    const ok = problems({
      listeners: [listener([withFilter(jwt('idp'))])],
      clusters: [cluster(), cluster('idp')],
    });
    expect(ok).to.deep.equal([]);
    const bad = problems({
      listeners: [listener([withFilter(jwt('other'))])],
      clusters: [cluster(), cluster('idp')],
    });
    expect(bad).to.deep.equal([
      `Listener inbound: ${HCM_PATH}.http_filters[0].typed_config(JwtAuthentication).rules[0].requires.provider_name: JWT provider "other" is not defined in providers`,
    ]);
  });

  it('duplicate filter chain match, including overlapping server_names', () => {
    const l = listener([hcm(), hcm()], {
      filterChains: [
        { filterChainMatch: { serverNames: ['a', 'b'] }, filters: [] },
        { filterChainMatch: { serverNames: ['c'] }, filters: [] },
        { filterChainMatch: { serverNames: ['B'] }, filters: [] },
        {},
      ],
    });
    expect(problems({ listeners: [l] })).to.deep.equal([
      'Listener inbound: Listener.filter_chains[2].filter_chain_match: multiple filter chains with the same matching rules are defined: same as filter_chains[0]',
    ]);
    const twoEmpty = listener([hcm()], { filterChains: [{}, { filterChainMatch: {} }] });
    expect(problems({ listeners: [twoEmpty] })).to.have.length(1);
  });

  it('a safe_regex that RE2 would not compile', () => {
    const r = routes();
    const route = r.virtualHosts[0]?.routes[0];
    if (route?.match === undefined) throw new Error('no route');
    route.match.pathSpecifier = {
      $case: 'safeRegex',
      value: { $type: 'envoy.type.matcher.v3.RegexMatcher', engineType: undefined, regex: '/(?!admin).*' },
    };
    expect(problems({ routes: [r] })).to.deep.equal([
      'RouteConfiguration route: RouteConfiguration.virtual_hosts[0].routes[0].match.safe_regex.regex: regex does not compile as RE2: error parsing regexp: invalid or unsupported Perl syntax: `(?!`',
    ]);
  });

  it('assertValid throws with every problem listed', () => {
    const bad = resources({ routes: [], clusters: [] });
    expect(() => assertValid(bad, { sdsSecrets: [] }))
      .to.throw(InvalidResourcesError)
      .with.property('problems')
      .with.length(1);
    const withRule = resources({ listeners: [listener([hcm({ statPrefix: '' })])], routes: [] });
    try {
      assertValid(withRule, { sdsSecrets: [] });
      expect.fail('no throw');
    } catch (err) {
      expect((err as Error).message).to.include('2 problem(s)');
      expect((err as Error).message).to.include('stat_prefix: value length must be at least 1 runes');
      expect((err as Error).message).to.include('route configuration "route" is not in the routes sent');
    }
  });
});

describe('xds/check checkResources: tcp_proxy clusters', () => {
  it('reports a tcp_proxy cluster that is not sent', () => {
    const tcp = TcpProxy.fromPartial({
      statPrefix: 'tcp',
      clusterSpecifier: { $case: 'cluster', value: 'passthrough' },
    });
    const l = listener([], {
      filterChains: [
        {
          filters: [
            {
              name: 'envoy.filters.network.tcp_proxy',
              configType: { $case: 'typedConfig', value: packAny(tcp) },
            },
          ],
        },
      ],
    });
    expect(problems({ listeners: [l] })).to.deep.equal([
      'Listener inbound: Listener.filter_chains[0].filters[0].typed_config(TcpProxy).cluster: cluster "passthrough" is not in the clusters sent',
    ]);
    expect(problems({ listeners: [l], clusters: [cluster(), cluster('passthrough')] })).to.deep.equal([]);
  });
});

describe('xds/check checkResources: jwt_authn per-route requirement names', () => {
  it('reports a per-route requirement_name no jwt_authn filter defines', () => {
    const perRoute = PerRouteConfig.fromPartial({
      requirementSpecifier: { $case: 'requirementName', value: 'r1' },
    });
    const r = routes();
    const vh = r.virtualHosts[0];
    if (vh === undefined) throw new Error('no virtual host');
    vh.typedPerFilterConfig = { 'envoy.filters.http.jwt_authn': packAny(perRoute) };
    const filterWith = (names: string[]): ReturnType<typeof hcm> => {
      const config = jwt('idp');
      config.requirementMap = Object.fromEntries(
        names.map((n) => [
          n,
          {
            $type: 'envoy.extensions.filters.http.jwt_authn.v3.JwtRequirement',
            requiresType: { $case: 'providerName', value: 'idp' },
          },
        ]),
      );
      return withFilter(config);
    };
    const clusters = [cluster(), cluster('idp')];
    expect(problems({ routes: [r], listeners: [listener([filterWith([])])], clusters })).to.deep.equal([
      'RouteConfiguration route: RouteConfiguration.virtual_hosts[0].typed_per_filter_config[envoy.filters.http.jwt_authn](PerRouteConfig).requirement_name: JWT requirement "r1" is not in any jwt_authn requirement_map',
    ]);
    expect(problems({ routes: [r], listeners: [listener([filterWith(['r1'])])], clusters })).to.deep.equal(
      [],
    );
  });
});

describe('xds/check checkResources: jwt_authn names inside the filter', () => {
  it('reports nested provider_and_audiences and a rule naming a missing requirement', () => {
    const config = jwt('idp');
    config.rules.push(
      JwtAuthentication.fromPartial({
        rules: [
          {
            match: { pathSpecifier: { $case: 'prefix', value: '/x' } },
            requirementType: { $case: 'requirementName', value: 'nope' },
          },
        ],
      }).rules[0] ?? config.rules[0]!,
    );
    config.requirementMap = JwtAuthentication.fromPartial({
      requirementMap: {
        any: {
          requiresType: {
            $case: 'requiresAny',
            value: {
              requirements: [
                { requiresType: { $case: 'providerName', value: 'idp' } },
                {
                  requiresType: {
                    $case: 'providerAndAudiences',
                    value: { providerName: 'ghost', audiences: ['a'] },
                  },
                },
              ],
            },
          },
        },
      },
    }).requirementMap;
    const found = problems({
      listeners: [listener([withFilter(config)])],
      clusters: [cluster(), cluster('idp')],
    });
    expect(found).to.deep.equal([
      `Listener inbound: ${HCM_PATH}.http_filters[0].typed_config(JwtAuthentication).requirement_map[any].requires_any.requirements[1].provider_and_audiences.provider_name: JWT provider "ghost" is not defined in providers`,
      `Listener inbound: ${HCM_PATH}.http_filters[0].typed_config(JwtAuthentication).rules[1].requirement_name: JWT requirement "nope" is not in requirement_map`,
    ]);
  });
});
