import { expect } from 'chai';
import { parseManifests } from '../../src/provider/file/manifests.js';
import { buildSnapshot } from '../../src/provider/file/snapshot.js';
import type { ResourceSnapshot } from '../../src/provider/snapshot.js';
import { translate } from '../../src/translate/translate.js';
import type { TranslateResult } from '../../src/translate/translate.js';
import { translateForDataPlane } from '../../src/xds/translate/proxyless/translate.js';
import { defaultXdsConfig } from '../../src/xds/translate/config.js';
import { snapshot } from '../fixtures/snapshot.js';

/** shop/orders (proxyless, port 50051) and shop/legacy (Envoy, port 8080), both labelled tier=api, plus `spec`. */
function withPolicy(spec: Record<string, unknown>): ResourceSnapshot {
  const snap = snapshot()
    .workload('shop', 'orders', { tier: 'api' }, [50051])
    .workload('shop', 'legacy', { tier: 'api' }, [8080])
    .policy('shop', 'p', { selector: { matchLabels: { tier: 'api' } }, ...spec })
    .build();
  const orders = snap.workloads.find((w) => w.name === 'orders');
  if (orders !== undefined) orders.annotations = { 'aspen.dev/proxyless': 'true' };
  return snap;
}

function run(spec: Record<string, unknown>): TranslateResult {
  return translate(withPolicy(spec), { trustDomain: 'cluster.local' });
}

function programmed(
  result: TranslateResult,
): { status: string; reason: string; message: string } | undefined {
  return result.statuses[0]?.conditions.find((c) => c.type === 'Programmed');
}

const JWT = {
  jwt: {
    providers: [
      {
        name: 'corp',
        issuer: 'https://login.example.com/',
        jwks: { remote: { uri: 'https://login.example.com/jwks.json' } },
      },
    ],
  },
};

describe('proxyless workloads in the translator', () => {
  it('marks the proxyless workload in the IR and leaves Envoy workloads unchanged', () => {
    const result = run({ authorization: { defaultAction: 'Deny' } });
    const [legacy, orders] = result.proxies;
    expect(orders?.workload.proxyless).to.equal(true);
    expect(legacy?.workload).to.not.have.property('proxyless');
    expect(programmed(result)).to.equal(undefined);
    expect(orders?.ports[0]?.failClosed).to.deep.equal([]);
  });

  it('a policy needing JWT fails closed on the proxyless workload only, with Programmed=False UnsupportedByDataPlane', () => {
    const result = run(JWT);
    const [legacy, orders] = result.proxies;
    expect(orders?.ports[0]?.failClosed).to.deep.equal([
      { policy: 'shop/p', reason: 'UnsupportedByDataPlane' },
    ]);
    expect(legacy?.ports[0]?.failClosed).to.deep.equal([]);
    expect(programmed(result)).to.deep.equal({
      type: 'Programmed',
      status: 'False',
      reason: 'UnsupportedByDataPlane',
      message:
        'proxyless gRPC workload shop/orders cannot enforce JWT authentication: requests to the ports this policy ' +
        'covers there are denied',
    });
  });

  it('names every feature gRPC cannot enforce: rate limits, request validation, PERMISSIVE, Audit mode', () => {
    const result = run({
      mode: 'Audit',
      mtls: { mode: 'PERMISSIVE' },
      rateLimits: [{ name: 'all', requests: 10, per: '1s' }],
      requestValidation: { maxBodyBytes: 1024 },
    });
    expect(programmed(result)?.message).to.include(
      'cannot enforce rate limits, request validation, PERMISSIVE mTLS, Audit mode',
    );
  });

  it('the xDS stage gives the proxyless workload gRPC shapes and the Envoy workload Envoy shapes', () => {
    const result = run({ authorization: { defaultAction: 'Deny' } });
    const names = result.proxies.map((p) =>
      translateForDataPlane(p, defaultXdsConfig()).listeners.map((l) => l.name),
    );
    expect(names[0]).to.include('inbound');
    expect(names[1]).to.include('grpc/server?xds.resource.listening_address=0.0.0.0:50051');
    expect(names[1]).to.not.include('inbound');
  });
});

describe('file provider: aspen.dev/addresses', () => {
  const manifest = (addresses: string): string => `apiVersion: v1
kind: Pod
metadata:
  name: orders
  namespace: shop
  annotations:
    aspen.dev/proxyless: "true"
    aspen.dev/addresses: "${addresses}"
spec:
  containers: [{ name: app, image: x }]
`;

  it('reads the pod IPs (sorted, unique) into the workload', () => {
    const { snapshot: snap, problems } = buildSnapshot(
      parseManifests(manifest('10.0.0.8, 10.0.0.7,10.0.0.8,::1'), 'f.yaml').manifests,
      {
        defaultNamespace: 'default',
      },
    );
    expect(problems).to.deep.equal([]);
    expect(snap.workloads[0]?.addresses).to.deep.equal(['10.0.0.7', '10.0.0.8', '::1']);
  });

  it('reports an entry that is not an IP, with file and line', () => {
    const { problems } = buildSnapshot(
      parseManifests(manifest('10.0.0.7, orders.local'), 'f.yaml').manifests,
      {
        defaultNamespace: 'default',
      },
    );
    expect(problems).to.deep.equal([
      {
        file: 'f.yaml',
        line: 8,
        message: 'Pod shop/orders: annotation aspen.dev/addresses: "orders.local" is not an IP address',
      },
    ]);
  });
});
