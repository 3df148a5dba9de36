// ADR 0026: what many proxies share is translated, checked, encoded and hashed once, and sharing never changes a
// result — a reference problem is still found per proxy, and equal content keeps equal versions.
import { expect } from 'chai';
import { Cluster } from '../../../src/gen/envoy/config/cluster/v3/cluster.js';
import type { OutboundServiceIR } from '../../../src/ir/index.js';
import { encodeResources } from '../../../src/serve/build.js';
import { buildTypeSnapshot, contentVersion, encodedDigest } from '../../../src/xds/cache/snapshot.js';
import { checkResources } from '../../../src/xds/check/check.js';
import { formatProblem } from '../../../src/xds/check/problem.js';
import { packAny, packResource } from '../../../src/xds/proto/any.js';
import { defaultXdsConfig } from '../../../src/xds/translate/config.js';
import { translateProxy } from '../../../src/xds/translate/translate.js';
import { cluster, resources, routes } from '../check/fixtures.js';
import { port, proxy } from '../translate/fixtures.js';

const CDS = 'type.googleapis.com/envoy.config.cluster.v3.Cluster';

function service(namespace: string, name: string, servicePort: number): OutboundServiceIR {
  const identity = `spiffe://cluster.local/ns/${namespace}/sa/${name}`;
  const destination = {
    workload: `${namespace}/${name}`,
    targetPort: 8080,
    identity,
    mtls: 'STRICT' as const,
  };
  return {
    key: `${namespace}/${name}`,
    host: `${name}.${namespace}.svc.cluster.local`,
    ports: [{ port: servicePort, tls: true, identities: [identity], destinations: [destination] }],
  };
}

describe('xds sharing between proxies (ADR 0026)', () => {
  it('gives proxies that share an outbound list the very same outbound messages, and encodes each once', () => {
    const outbound = [service('shop', 'a', 80), service('shop', 'b', 80), service('pay', 'c', 9000)];
    const config = defaultXdsConfig('cluster.local');
    const one = translateProxy(proxy([port(8080)], outbound), config);
    const two = translateProxy({ ...proxy([port(9090)], outbound), key: 'shop/other' }, config);
    const outboundOf = (r: typeof one): Cluster[] => r.clusters.filter((c) => c.name.startsWith('outbound|'));
    expect(outboundOf(one)).to.have.length(3);
    outboundOf(one).forEach((c, i) => expect(outboundOf(two)[i]).to.equal(c));
    const encodedOne = encodeResources(one)[CDS] ?? [];
    const encodedTwo = encodeResources(two)[CDS] ?? [];
    const shared = encodedOne.filter((r) => encodedTwo.some((s) => s.encoded === r.encoded));
    expect(shared.map((r) => r.name)).to.include.members(outboundOf(one).map((c) => c.name));
  });

  it('keeps the outbound objects across rebuilds while the outbound content is unchanged', () => {
    const config = defaultXdsConfig('cluster.local');
    const before = translateProxy(proxy([port(8080)], [service('shop', 'a', 80)]), config);
    const after = translateProxy(proxy([port(8080)], [service('shop', 'a', 80)]), config);
    const changed = translateProxy(proxy([port(8080)], [service('shop', 'a', 81)]), config);
    const outboundOf = (r: typeof before): Cluster | undefined =>
      r.clusters.find((c) => c.name.startsWith('outbound|'));
    expect(outboundOf(after)).to.equal(outboundOf(before));
    expect(outboundOf(changed)).to.not.equal(outboundOf(before));
    expect(outboundOf(changed)?.name).to.contain('81');
  });

  it('builds the shared-port routes per caller namespace (short host names differ)', () => {
    const outbound = [service('shop', 'a', 80), service('shop', 'b', 80)];
    const config = defaultXdsConfig('cluster.local');
    const shop = translateProxy(proxy([port(8080)], outbound), config);
    const other = translateProxy(
      { ...proxy([port(8080)], outbound), workload: { ...proxy([]).workload, namespace: 'pay' } },
      config,
    );
    const shared = (r: typeof shop): unknown => r.routes.find((x) => x.name === 'outbound|80');
    expect(shared(shop)).to.not.equal(undefined);
    expect(shared(shop)).to.not.equal(shared(other));
    expect(JSON.stringify(shared(shop))).to.not.equal(JSON.stringify(shared(other)));
  });

  it('still checks references per proxy when a resource was already checked for another proxy', () => {
    const route = routes('local_app');
    const withCluster = resources({ routes: [route], clusters: [cluster()] });
    const without = resources({ routes: [route], clusters: [] });
    expect(checkResources(withCluster, { sdsSecrets: [] })).to.deep.equal([]);
    expect(checkResources(without, { sdsSecrets: [] }).map(formatProblem)).to.deep.equal([
      'RouteConfiguration route: RouteConfiguration.virtual_hosts[0].routes[0].route.cluster: cluster "local_app" is not in the clusters sent',
    ]);
    // Equal content in another object: the remembered result is the same.
    const copy = resources({ routes: [routes('local_app')], clusters: [] });
    expect(checkResources(copy, { sdsSecrets: [] })).to.have.length(1);
  });

  it('reports a PGV violation for every proxy holding the resource, not only the first', () => {
    const bad = Cluster.fromPartial({ name: '' });
    const first = checkResources(resources({ clusters: [cluster(), bad] }), { sdsSecrets: [] });
    const again = checkResources(resources({ clusters: [cluster(), bad] }), { sdsSecrets: [] });
    expect(first.length).to.be.greaterThan(0);
    expect(again).to.deep.equal(first);
  });

  it('memoises a finished resource encoding per message, and versions depend on content only', () => {
    const message = Cluster.fromPartial({ name: 'a' });
    expect(packResource(message)).to.equal(packResource(message));
    const equal = packAny(Cluster.fromPartial({ name: 'a' }));
    expect(encodedDigest(equal)).to.equal(encodedDigest(packResource(message)));
    const a = [{ name: 'a', encoded: packResource(message) }];
    expect(contentVersion(CDS, a)).to.equal(contentVersion(CDS, [{ name: 'a', encoded: equal }]));
    expect(contentVersion(CDS, a)).to.not.equal(contentVersion(CDS, [{ name: 'b', encoded: equal }]));
    const other = packAny(Cluster.fromPartial({ name: 'a', altStatName: 'x' }));
    expect(buildTypeSnapshot(CDS, a).version).to.not.equal(
      buildTypeSnapshot(CDS, [{ name: 'a', encoded: other }]).version,
    );
  });
});
