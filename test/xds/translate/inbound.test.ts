/**
 * Inbound connections: which peer gets a filter chain at all (mTLS mode), what the TLS chain demands, and who the
 * segmentation filter admits. Each test names the Envoy setting that refuses the attack.
 */
import { expect } from 'chai';
import { RBAC_Action } from '../../../src/gen/envoy/config/rbac/v3/rbac.js';
import { TlsParameters_TlsProtocol } from '../../../src/gen/envoy/extensions/transport_sockets/tls/v3/common.js';
import { defaultXdsConfig } from '../../../src/xds/translate/config.js';
import { translateProxy } from '../../../src/xds/translate/translate.js';
import { policySet, port, portWithMtls, proxy } from './fixtures.js';
import { matchChain } from './simulate.js';
import { downstreamTlsOf, hcmOf, listenerNamed, networkRbacOf } from './unpack.js';

const config = defaultXdsConfig('cluster.local');

function inbound(...ports: Parameters<typeof proxy>[0]): ReturnType<typeof listenerNamed> {
  return listenerNamed(translateProxy(proxy(ports), config), 'inbound');
}

describe('xds inbound listener', () => {
  it('listens on the inbound capture port and restores the dialled port (original_dst) and transport (tls_inspector)', () => {
    const l = inbound(portWithMtls(8080, 'STRICT'));
    expect(l.address?.address?.$case === 'socketAddress' && l.address.address.value).to.include({
      address: '0.0.0.0',
    });
    expect(l.listenerFilters.map((f) => f.name)).to.deep.equal([
      'envoy.filters.listener.original_dst',
      'envoy.filters.listener.tls_inspector',
    ]);
  });

  it('STRICT: a plaintext connection matches no filter chain (filter_chain_match.transport_protocol: tls), so it is closed', () => {
    const l = inbound(portWithMtls(8080, 'STRICT'));
    expect(matchChain(l, { destinationPort: 8080, transport: 'raw_buffer' })).to.equal(undefined);
    expect(l.defaultFilterChain).to.equal(undefined);
  });

  it('STRICT: a TLS peer without a client certificate fails the handshake (require_client_certificate)', () => {
    const chain = matchChain(inbound(portWithMtls(8080, 'STRICT')), {
      destinationPort: 8080,
      transport: 'tls',
    });
    const tls = chain && downstreamTlsOf(chain);
    expect(tls?.requireClientCertificate).to.equal(true);
    const common = tls?.commonTlsContext;
    expect(common?.tlsCertificates, 'no inline certificate or key').to.deep.equal([]);
    expect(common?.tlsCertificateSdsSecretConfigs.map((s) => s.name)).to.deep.equal(['default']);
    expect(common?.validationContextType?.$case).to.equal('combinedValidationContext');
    expect(common?.tlsParams?.tlsMinimumProtocolVersion).to.equal(TlsParameters_TlsProtocol.TLSv1_2);
  });

  it('PERMISSIVE: both a TLS chain and a plaintext chain, with the same HTTP settings', () => {
    const l = inbound(portWithMtls(8080, 'PERMISSIVE'));
    const tls = matchChain(l, { destinationPort: 8080, transport: 'tls' });
    const plain = matchChain(l, { destinationPort: 8080, transport: 'raw_buffer' });
    expect(tls && downstreamTlsOf(tls)?.requireClientCertificate).to.equal(true);
    expect(plain?.transportSocket).to.equal(undefined);
    expect(plain && hcmOf(plain)).to.deep.equal(tls && hcmOf(tls));
  });

  it('DISABLE: plaintext only; a TLS connection matches no chain', () => {
    const l = inbound(portWithMtls(8080, 'DISABLE'));
    expect(matchChain(l, { destinationPort: 8080, transport: 'tls' })).to.equal(undefined);
    expect(matchChain(l, { destinationPort: 8080, transport: 'raw_buffer' })?.name).to.equal(
      'inbound|8080|raw_buffer',
    );
  });

  it('a port the workload does not declare matches no chain (no default_filter_chain: strict default)', () => {
    const l = inbound(portWithMtls(8080, 'PERMISSIVE'));
    expect(matchChain(l, { destinationPort: 9999, transport: 'tls' })).to.equal(undefined);
    expect(matchChain(l, { destinationPort: 9999, transport: 'raw_buffer' })).to.equal(undefined);
  });

  it('no port: no inbound listener at all (Envoy rejects a listener without chains)', () => {
    expect(translateProxy(proxy([]), config).listeners.map((l) => l.name)).to.deep.equal(['outbound']);
  });

  describe('segmentation (envoy.filters.network.rbac)', () => {
    const allowed = ['spiffe://cluster.local/ns/shop/sa/frontend'];
    const segmented = port(8080, {
      enforce: policySet({
        mtls: 'PERMISSIVE',
        segmentation: { allowedPrincipals: allowed, policies: ['shop/p'] },
      }),
    });

    it('runs first on every chain of the port, before the HTTP connection manager', () => {
      for (const chain of inbound(segmented).filterChains) {
        expect(chain.filters.map((f) => f.name)).to.deep.equal([
          'envoy.filters.network.rbac',
          'envoy.filters.network.http_connection_manager',
        ]);
      }
    });

    it('admits only the allowed SPIFFE IDs, as authenticated (certificate URI SAN) principals', () => {
      const chain = matchChain(inbound(segmented), { destinationPort: 8080, transport: 'tls' });
      const rules = chain && networkRbacOf(chain)?.rules;
      expect(rules?.action).to.equal(RBAC_Action.ALLOW);
      const principals = Object.values(rules?.policies ?? {}).flatMap((p) => p.principals);
      expect(principals.map((p) => p.identifier?.$case)).to.deep.equal(['authenticated']);
      const names = principals.map(
        (p) => p.identifier?.$case === 'authenticated' && p.identifier.value.principalName,
      );
      expect(names.map((n) => n && n.matchPattern)).to.deep.equal([{ $case: 'exact', value: allowed[0] }]);
    });

    it('refuses plaintext peers on a PERMISSIVE port: they have no authenticated identity to match', () => {
      const chain = matchChain(inbound(segmented), { destinationPort: 8080, transport: 'raw_buffer' });
      const policies = Object.values((chain && networkRbacOf(chain)?.rules?.policies) ?? {});
      expect(policies).to.have.length(1);
      expect(
        policies.every((p) => p.principals.every((x) => x.identifier?.$case === 'authenticated')),
      ).to.equal(true);
    });

    it('an empty allow list admits nobody: an ALLOW filter with no policy', () => {
      const none = port(8080, {
        enforce: policySet({ segmentation: { allowedPrincipals: [], policies: ['shop/p'] } }),
      });
      const chain = matchChain(inbound(none), { destinationPort: 8080, transport: 'tls' });
      const rbac = chain && networkRbacOf(chain);
      expect(rbac?.rules?.action).to.equal(RBAC_Action.ALLOW);
      expect(rbac?.rules?.policies).to.deep.equal({});
    });

    it('Audit-mode segmentation is shadow rules only: logged, never enforced', () => {
      const audited = port(8080, {
        audit: policySet({ segmentation: { allowedPrincipals: allowed, policies: ['shop/a'] } }),
      });
      const chain = matchChain(inbound(audited), { destinationPort: 8080, transport: 'tls' });
      const rbac = chain && networkRbacOf(chain);
      expect(rbac?.rules).to.equal(undefined);
      expect(rbac?.shadowRules?.action).to.equal(RBAC_Action.ALLOW);
    });

    it('no segmentation: no network RBAC filter', () => {
      const chain = matchChain(inbound(portWithMtls(8080, 'STRICT')), {
        destinationPort: 8080,
        transport: 'tls',
      });
      expect(chain && networkRbacOf(chain)).to.equal(undefined);
    });
  });
});
