import { expect } from 'chai';
import { auditInput, findingsIn, proxy } from './fixtures.js';

describe('audit: workloads no policy selects', () => {
  it('ASP001 reports a workload no policy selects, saying the mesh defaults deny every request', () => {
    const found = findingsIn('ASP001', auditInput({ proxies: [proxy('orders')] }));
    expect(found).to.have.length(1);
    expect(found[0]?.object).to.deep.equal({ kind: 'Deployment', namespace: 'shop', name: 'orders' });
    expect(found[0]?.severity).to.equal('low');
    expect(found[0]?.message).to.match(/deny all/);
    expect(found[0]?.hint).to.match(/ApiSecurityPolicy/);
  });

  it('ASP001 stays quiet for a workload a policy selects', () => {
    const input = auditInput({ proxies: [proxy('orders', { policies: ['shop/orders'] })] });
    expect(findingsIn('ASP001', input)).to.deep.equal([]);
    expect(findingsIn('ASP002', input)).to.deep.equal([]);
  });

  it('ASP002 (high) replaces ASP001 when the mesh defaults allow requests', () => {
    const input = auditInput({ proxies: [proxy('orders', { defaultAction: 'Allow' })] });
    expect(findingsIn('ASP001', input)).to.deep.equal([]);
    const found = findingsIn('ASP002', input);
    expect(found.map((f) => [f.severity, f.object.name])).to.deep.equal([['high', 'orders']]);
  });

  it('ASP002 stays quiet when a selected workload allows by default (that is ASP007 on the policy)', () => {
    const input = auditInput({
      proxies: [proxy('orders', { policies: ['shop/p'], defaultAction: 'Allow' })],
    });
    expect(findingsIn('ASP002', input)).to.deep.equal([]);
  });

  it('ASP001/ASP002 stay quiet for a workload whose only policy is invalid (it fails closed; ASP003 reports it)', () => {
    const failClosed = [{ policy: 'shop/broken', reason: 'Invalid' }];
    const input = auditInput({ proxies: [proxy('orders', { failClosed, defaultAction: 'Allow' })] });
    expect(findingsIn('ASP001', input)).to.deep.equal([]);
    expect(findingsIn('ASP002', input)).to.deep.equal([]);
  });
});
