/** The outbound side: calls to meshed services use mTLS and check the server's SPIFFE ID. */
import { expect } from 'chai';
import { Cluster_DiscoveryType } from '../../../src/gen/envoy/config/cluster/v3/cluster.js';
import { SubjectAltNameMatcher_SanType } from '../../../src/gen/envoy/extensions/transport_sockets/tls/v3/common.js';
import type {
  CommonTlsContext_CombinedCertificateValidationContext,
  UpstreamTlsContext,
} from '../../../src/gen/envoy/extensions/transport_sockets/tls/v3/tls.js';
import type { OutboundServiceIR } from '../../../src/ir/index.js';
import { defaultXdsConfig } from '../../../src/xds/translate/config.js';
import { translateProxy } from '../../../src/xds/translate/translate.js';
import { proxy } from './fixtures.js';
import { matchChain } from './simulate.js';
import { clusterNamed, listenerNamed, upstreamTlsOf } from './unpack.js';

const config = defaultXdsConfig('cluster.local');
const ORDERS = 'spiffe://cluster.local/ns/shop/sa/orders';
const CANARY = 'spiffe://cluster.local/ns/shop/sa/orders-canary';

function service(name: string, port: number, identities: string[], tls = true): OutboundServiceIR {
  return {
    key: `shop/${name}`,
    host: `${name}.shop.svc.cluster.local`,
    ports: [
      {
        port,
        tls,
        identities,
        destinations: identities.map((identity) => ({
          workload: `shop/${name}`,
          targetPort: 8080,
          identity,
          mtls: tls ? ('STRICT' as const) : ('DISABLE' as const),
        })),
      },
    ],
  };
}

/** The combined validation context of an upstream TLS context (trust bundle over SDS + SAN matchers). */
function combinedValidation(
  tls: UpstreamTlsContext | undefined,
): CommonTlsContext_CombinedCertificateValidationContext | undefined {
  const v = tls?.commonTlsContext?.validationContextType;
  return v?.$case === 'combinedValidationContext' ? v.value : undefined;
}

describe('xds outbound', () => {
  const resources = translateProxy(
    proxy([], [service('orders', 80, [ORDERS, CANARY]), service('legacy', 9000, [ORDERS], false)]),
    config,
  );

  it('the cluster presents the workload certificate and accepts only servers with one of the identities (URI SAN exact)', () => {
    const tls = upstreamTlsOf(clusterNamed(resources, 'outbound|80|orders.shop.svc.cluster.local'));
    expect(tls?.sni).to.equal('orders.shop.svc.cluster.local');
    const common = tls?.commonTlsContext;
    expect(common?.tlsCertificateSdsSecretConfigs.map((s) => s.name)).to.deep.equal(['default']);
    const combined = combinedValidation(tls);
    expect(combined?.validationContextSdsSecretConfig?.name).to.equal('ROOTCA');
    const sans = combined?.defaultValidationContext?.matchTypedSubjectAltNames ?? [];
    expect(sans.map((s) => s.sanType)).to.deep.equal([
      SubjectAltNameMatcher_SanType.URI,
      SubjectAltNameMatcher_SanType.URI,
    ]);
    expect(sans.map((s) => s.matcher?.matchPattern)).to.deep.equal([
      { $case: 'exact', value: ORDERS },
      { $case: 'exact', value: CANARY },
    ]);
  });

  it('plaintext only when every destination has mTLS DISABLE', () => {
    expect(upstreamTlsOf(clusterNamed(resources, 'outbound|9000|legacy.shop.svc.cluster.local'))).to.equal(
      undefined,
    );
  });

  it('connections are routed by the original destination port; anything else passes through (ORIGINAL_DST)', () => {
    const l = listenerNamed(resources, 'outbound');
    expect(l.useOriginalDst).to.equal(true);
    expect(matchChain(l, { destinationPort: 80, transport: 'raw_buffer' })?.name).to.equal('outbound|80');
    expect(matchChain(l, { destinationPort: 443, transport: 'raw_buffer' })?.name).to.equal('passthrough');
    const passthrough = clusterNamed(resources, 'passthrough');
    expect(passthrough.clusterDiscoveryType).to.deep.equal({
      $case: 'type',
      value: Cluster_DiscoveryType.ORIGINAL_DST,
    });
  });

  describe('two services on one port: Host-based HTTP routing (RDS outbound|<port>)', () => {
    const shared = translateProxy(
      proxy([], [service('a', 8080, [ORDERS]), service('b', 8080, [CANARY]), service('c', 9090, [ORDERS])]),
      config,
    );
    const routes = shared.routes.find((r) => r.name === 'outbound|8080');

    it('the port gets an HTTP connection manager instead of a TCP proxy; a port of one service keeps its TCP proxy', () => {
      const l = listenerNamed(shared, 'outbound');
      expect(l.filterChains.map((c) => [c.name, c.filters.map((f) => f.name)])).to.deep.equal([
        ['outbound|8080', ['envoy.filters.network.http_connection_manager']],
        ['outbound|9090', ['envoy.filters.network.tcp_proxy']],
      ]);
    });

    const cases: [string, string][] = [
      ['a.shop.svc.cluster.local', 'outbound|8080|a.shop.svc.cluster.local'],
      ['b.shop', 'outbound|8080|b.shop.svc.cluster.local'],
      ['a', 'outbound|8080|a.shop.svc.cluster.local'],
      ['example.com', 'passthrough'],
    ];
    for (const [host, cluster] of cases) {
      it(`Host ${host} goes to ${cluster}, whose TLS checks that service's identities`, () => {
        const vhost =
          routes?.virtualHosts.find((v) => v.domains.includes(host)) ??
          routes?.virtualHosts.find((v) => v.domains.includes('*'));
        const action = vhost?.routes[0]?.action;
        expect(action?.$case === 'route' && action.value.clusterSpecifier).to.deep.equal({
          $case: 'cluster',
          value: cluster,
        });
      });
    }

    it('each service cluster checks only its own identities', () => {
      const a = combinedValidation(
        upstreamTlsOf(clusterNamed(shared, 'outbound|8080|a.shop.svc.cluster.local')),
      );
      const b = combinedValidation(
        upstreamTlsOf(clusterNamed(shared, 'outbound|8080|b.shop.svc.cluster.local')),
      );
      const ids = (v: typeof a): unknown[] =>
        (v?.defaultValidationContext?.matchTypedSubjectAltNames ?? []).map((m) => m.matcher?.matchPattern);
      expect(ids(a)).to.deep.equal([{ $case: 'exact', value: ORDERS }]);
      expect(ids(b)).to.deep.equal([{ $case: 'exact', value: CANARY }]);
    });

    it('short names resolve only within the caller namespace', () => {
      const other = translateProxy(
        proxy(
          [],
          [
            { ...service('a', 8080, [ORDERS]), key: 'other/a', host: 'a.other.svc.cluster.local' },
            service('b', 8080, [CANARY]),
          ],
        ),
        config,
      );
      const domains = other.routes
        .find((r) => r.name === 'outbound|8080')
        ?.virtualHosts.flatMap((v) => v.domains);
      expect(domains).to.include('a.other').and.include('b');
      expect(domains).not.to.include('a');
    });
  });
});
