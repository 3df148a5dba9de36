/** ASP016: different segmentation on one workload port (network layer admits the union, the sidecar the intersection). */
import { expect } from 'chai';
import { emptySnapshot } from '../../src/provider/snapshot.js';
import type { Workload } from '../../src/provider/snapshot.js';
import { auditInput, findingsIn, policy } from './fixtures.js';

const orders: Workload = {
  namespace: 'shop',
  name: 'orders',
  kind: 'Deployment',
  labels: { app: 'orders' },
  annotations: {},
  serviceAccount: 'orders',
  ports: [
    { port: 8080, protocol: 'TCP' },
    { port: 9090, protocol: 'TCP' },
  ],
};

function segmented(name: string, app: string, ports?: number[]): ReturnType<typeof policy> {
  return policy(name, {
    selector: { matchLabels: { app: 'orders' } },
    ...(ports === undefined ? {} : { ports }),
    segmentation: { allowFrom: [{ podSelector: { matchLabels: { app } } }] },
  });
}

function findings(...policies: ReturnType<typeof policy>[]): ReturnType<typeof findingsIn> {
  const input = auditInput({ policies });
  input.snapshot = { ...emptySnapshot(), workloads: [orders] };
  return findingsIn('ASP016', input);
}

describe('audit rule ASP016 (segmentation union)', () => {
  it('reports both policies when their allowFrom differ on a shared port', () => {
    const found = findings(segmented('a', 'frontend'), segmented('b', 'batch', [8080]));
    expect(found.map((f) => [f.object.name, f.severity, f.field])).to.deep.equal([
      ['a', 'low', 'spec.segmentation.allowFrom'],
      ['b', 'low', 'spec.segmentation.allowFrom'],
    ]);
    expect(found[0]?.message).to.contain('union');
    expect(found[0]?.message).to.contain('intersection');
  });

  it('stays quiet for equal peer lists, disjoint ports and Audit-mode policies', () => {
    expect(findings(segmented('a', 'frontend'), segmented('b', 'frontend'))).to.deep.equal([]);
    expect(findings(segmented('a', 'frontend', [8080]), segmented('b', 'batch', [9090]))).to.deep.equal([]);
    const audit = {
      ...segmented('b', 'batch'),
      spec: { ...segmented('b', 'batch').spec, mode: 'Audit' as const },
    };
    expect(findings(segmented('a', 'frontend'), audit)).to.deep.equal([]);
  });
});
