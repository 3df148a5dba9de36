/** Egress scoping: aspen.dev/egress narrows the outbound services a workload's proxy receives (ADR 0035). */
import { expect } from 'chai';
import { parseManifests } from '../../src/provider/file/manifests.js';
import { buildSnapshot } from '../../src/provider/file/snapshot.js';
import { EGRESS_ANNOTATION, egressProblems, parseEgress } from '../../src/provider/egress.js';
import type { ResourceSnapshot } from '../../src/provider/snapshot.js';
import { scopeOutbound } from '../../src/translate/egress.js';
import { translate } from '../../src/translate/translate.js';
import type { ProxyIR } from '../../src/ir/index.js';
import { snapshot } from '../fixtures/snapshot.js';

const egress = (value: string): Record<string, string> => ({ [EGRESS_ANNOTATION]: value });

/** Three namespaces with two meshed services each; `annotations` go on shop/web's pods. */
function mesh(annotations: Record<string, string>): ResourceSnapshot {
  const b = snapshot();
  for (const ns of ['shop', 'pay', 'ops'])
    for (const app of ['web', 'api'])
      b.workload(ns, app, { app }, [8080]).service(ns, app, { app }, [[80, 8080]]);
  const built = b.build();
  const web = built.workloads.find((w) => w.namespace === 'shop' && w.name === 'web');
  if (web !== undefined) web.annotations = annotations;
  return built;
}

function outboundOf(snap: ResourceSnapshot, key: string): string[] {
  const proxy = translate(snap, { trustDomain: 'cluster.local' }).proxies.find((p) => p.key === key);
  return (proxy?.outbound ?? []).map((s) => s.key);
}

const ALL = ['ops/api', 'ops/web', 'pay/api', 'pay/web', 'shop/api', 'shop/web'];

describe('egress scoping (aspen.dev/egress)', () => {
  describe('parseEgress', () => {
    it('reads <namespace>/<service> entries separated by commas or spaces', () => {
      expect(parseEgress(egress(' ./*, pay/api  ops/*,*/web '))).to.deep.equal({
        hosts: [
          { namespace: '.', service: '*' },
          { namespace: 'pay', service: 'api' },
          { namespace: 'ops', service: '*' },
          { namespace: '*', service: 'web' },
        ],
        invalid: [],
      });
    });

    it('gives no hosts (the whole mesh) without the annotation', () => {
      expect(parseEgress({})).to.deep.equal({ invalid: [] });
    });

    it('ignores the whole annotation when any entry cannot be read, and says why', () => {
      const parsed = parseEgress(egress('./*, payments, pay/API, Pay/api, a/b/c'));
      expect(parsed.hosts).to.equal(undefined);
      expect(parsed.invalid).to.deep.equal([
        { entry: 'payments', reason: 'is not <namespace>/<service>' },
        { entry: 'pay/API', reason: 'service "API" is not "*" or a Service name' },
        { entry: 'Pay/api', reason: 'namespace "Pay" is not ".", "*" or a namespace name' },
        { entry: 'a/b/c', reason: 'is not <namespace>/<service>' },
      ]);
      expect(parseEgress(egress(' , ')).invalid).to.deep.equal([
        { entry: ' , ', reason: 'lists no services' },
      ]);
    });

    it('formats the problems of a workload for logs and admission warnings', () => {
      const workload = mesh(egress('pay')).workloads.find((w) => w.name === 'web' && w.namespace === 'shop');
      expect(workload && egressProblems(workload.annotations)).to.deep.equal([
        'annotation aspen.dev/egress: "pay" is not <namespace>/<service>',
      ]);
    });
  });

  describe('translate', () => {
    it('gives an unannotated workload every meshed service', () => {
      expect(outboundOf(mesh({}), 'shop/web')).to.deep.equal(ALL);
    });

    it('resolves "." to the workload namespace and "*" to any namespace or service', () => {
      expect(outboundOf(mesh(egress('./*')), 'shop/web')).to.deep.equal(['shop/api', 'shop/web']);
      expect(outboundOf(mesh(egress('*/api')), 'shop/web')).to.deep.equal(['ops/api', 'pay/api', 'shop/api']);
      expect(outboundOf(mesh(egress('pay/*, ops/web')), 'shop/web')).to.deep.equal([
        'ops/web',
        'pay/api',
        'pay/web',
      ]);
      expect(outboundOf(mesh(egress('*/*')), 'shop/web')).to.deep.equal(ALL);
    });

    it('gives nothing for services that do not exist (the scope only narrows)', () => {
      expect(outboundOf(mesh(egress('gone/*, pay/gone')), 'shop/web')).to.deep.equal([]);
    });

    it('keeps the whole mesh when the annotation cannot be read', () => {
      expect(outboundOf(mesh(egress('./*, pay')), 'shop/web')).to.deep.equal(ALL);
    });

    it('does not change what other workloads receive', () => {
      expect(outboundOf(mesh(egress('./*')), 'pay/api')).to.deep.equal(ALL);
    });

    it('shares one array between workloads with the same scope, and the whole-mesh array with unscoped ones', () => {
      const snap = mesh(egress('./*'));
      for (const w of snap.workloads) if (w.namespace === 'shop') w.annotations = egress('shop/*');
      for (const w of snap.workloads) if (w.namespace === 'ops') w.annotations = egress('*/*');
      const { proxies } = translate(snap, { trustDomain: 'cluster.local' });
      const of = (key: string): unknown => proxies.find((p) => p.key === key)?.outbound;
      expect(of('shop/web')).to.equal(of('shop/api'));
      expect(of('ops/web')).to.equal(of('pay/api'));
      expect(of('shop/web')).to.not.equal(of('pay/api'));
    });
  });

  describe('scopeOutbound', () => {
    it('hands out the same scoped arrays while the whole-mesh list is the same object', () => {
      const snap = mesh(egress('./*'));
      const { proxies } = translate(snap, { trustDomain: 'cluster.local' });
      const whole = proxies.find((p) => p.key === 'pay/api')?.outbound ?? [];
      const web = (): ProxyIR => ({ ...(proxies.find((p) => p.key === 'shop/web') as ProxyIR) });
      const [first, second] = [web(), web()];
      scopeOutbound([first], snap.workloads, whole);
      scopeOutbound([second], snap.workloads, whole);
      expect(first.outbound.map((s) => s.key)).to.deep.equal(['shop/api', 'shop/web']);
      expect(second.outbound).to.equal(first.outbound);
      const third = web();
      scopeOutbound([third], snap.workloads, [...whole]);
      expect(third.outbound).to.not.equal(first.outbound);
      expect(third.outbound).to.deep.equal(first.outbound);
    });
  });

  describe('file provider', () => {
    it('reports an annotation it cannot read with the field path', () => {
      const text = `apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: shop }
spec:
  template:
    metadata:
      labels: { app: web }
      annotations: { aspen.dev/egress: "./*, payments" }
    spec:
      containers: [{ name: web }]
`;
      const parsed = parseManifests(text, 'f.yaml');
      const { problems } = buildSnapshot(parsed.manifests, { defaultNamespace: 'default' });
      expect(problems.map((p) => p.message)).to.deep.equal([
        'Deployment shop/web: annotation aspen.dev/egress: "payments" is not <namespace>/<service>',
      ]);
      expect(JSON.stringify(problems[0])).to.include('f.yaml');
    });
  });
});
