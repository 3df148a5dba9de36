/** translateProxy as a whole: deterministic, sorted, self-consistent, and free of key material. */
import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { TcpProxy } from '../../../src/gen/envoy/extensions/filters/network/tcp_proxy/v3/tcp_proxy.js';
import type { ProxyIR } from '../../../src/ir/index.js';
import { canonicalResources } from '../../../src/xds/translate/canonical.js';
import { DATAPLANE_CLUSTER } from '../../../src/xds/translate/names.js';
import { dataplaneCluster } from '../../../src/xds/translate/clusters.js';
import { defaultXdsConfig } from '../../../src/xds/translate/config.js';
import type { XdsResources } from '../../../src/xds/translate/resources.js';
import { translateProxy } from '../../../src/xds/translate/translate.js';
import { filterConfig, hcmOf, upstreamTlsOf } from './unpack.js';

const DIR = fileURLToPath(new URL('../../../../test/golden/xds/', import.meta.url));
const config = defaultXdsConfig('cluster.local');

/** Every golden input, by case name. */
const inputs: [string, ProxyIR][] = readdirSync(DIR)
  .filter((f) => f.endsWith('.in.yaml'))
  .sort()
  .map((f) => [f.slice(0, -'.in.yaml'.length), parse(readFileSync(`${DIR}${f}`, 'utf8')) as ProxyIR]);

/** Cluster names the listeners and routes point at. */
function referencedClusters(r: XdsResources): string[] {
  const fromRoutes = r.routes.flatMap((rc) =>
    rc.virtualHosts.flatMap((v) =>
      v.routes.flatMap((route) =>
        route.action?.$case === 'route' && route.action.value.clusterSpecifier?.$case === 'cluster'
          ? [route.action.value.clusterSpecifier.value]
          : [],
      ),
    ),
  );
  const chains = r.listeners.flatMap((l) => [
    ...l.filterChains,
    ...(l.defaultFilterChain ? [l.defaultFilterChain] : []),
  ]);
  const fromTcp = chains.flatMap((c) => {
    const tcp = filterConfig(c, 'envoy.filters.network.tcp_proxy', TcpProxy);
    return tcp?.clusterSpecifier?.$case === 'cluster' ? [tcp.clusterSpecifier.value] : [];
  });
  return [...fromRoutes, ...fromTcp];
}

describe('xds translateProxy', () => {
  for (const [name, ir] of inputs) {
    describe(name, () => {
      const resources = translateProxy(ir, config);

      it('is deterministic: translating twice gives identical canonical JSON', () => {
        const again = translateProxy(structuredClone(ir), config);
        expect(JSON.stringify(canonicalResources(again))).to.equal(
          JSON.stringify(canonicalResources(resources)),
        );
      });

      it('lists every type sorted by name, names unique', () => {
        for (const list of [resources.listeners, resources.routes, resources.clusters]) {
          const names = list.map((x) => x.name);
          expect(names).to.deep.equal([...names].sort());
          expect(new Set(names).size).to.equal(names.length);
        }
      });

      it('every cluster and route configuration referenced exists', () => {
        const clusters = new Set(resources.clusters.map((c) => c.name));
        for (const ref of referencedClusters(resources)) expect(clusters.has(ref), ref).to.equal(true);
        const routes = new Set(resources.routes.map((r) => r.name));
        const inbound = resources.listeners.find((l) => l.name === 'inbound');
        for (const chain of inbound?.filterChains ?? []) {
          const rds = hcmOf(chain).routeSpecifier;
          expect(rds?.$case === 'rds' && routes.has(rds.value.routeConfigName), chain.name).to.equal(true);
        }
      });

      it('carries no key material: no private_key, no inline certificate bytes', () => {
        const json = JSON.stringify(canonicalResources(resources));
        expect(json).not.to.match(/privateKey|private_key|inlineBytes|inline_bytes|BEGIN [A-Z ]*KEY/);
      });
    });
  }

  it('dataplaneCluster: gRPC over HTTP/2 and mTLS, checking the dataplane identity', () => {
    const cluster = dataplaneCluster(config);
    expect(cluster.name).to.equal(DATAPLANE_CLUSTER);
    expect(Object.keys(cluster.typedExtensionProtocolOptions)).to.deep.equal([
      'envoy.extensions.upstreams.http.v3.HttpProtocolOptions',
    ]);
    const sans = upstreamTlsOf(cluster)?.commonTlsContext?.validationContextType;
    expect(
      sans?.$case === 'combinedValidationContext' &&
        sans.value.defaultValidationContext?.matchTypedSubjectAltNames.map((s) => s.matcher?.matchPattern),
    ).to.deep.equal([{ $case: 'exact', value: config.dataplaneIdentity }]);
  });
});
