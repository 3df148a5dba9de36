import { expect } from 'chai';
import { acceptedStatus, auditInput, condition, findingsIn, proxy, status } from './fixtures.js';

const invalid = status(
  'orders',
  [
    condition(
      'Accepted',
      false,
      'Invalid',
      'spec.authorization.rules[1].from.principals[0]: not a SPIFFE ID (and 1 more)',
    ),
  ],
  [
    { path: ['spec', 'authorization', 'rules', 1, 'from', 'principals', 0], message: 'not a SPIFFE ID' },
    { path: ['spec', 'mtls', 'mode'], message: 'unknown value' },
  ],
);

describe('audit: policies that are not accepted', () => {
  it('ASP003 reports an invalid policy at its first problem and names the workloads that fail closed', () => {
    const failClosed = [{ policy: 'shop/orders', reason: 'Invalid' }];
    const input = auditInput({
      statuses: [invalid],
      proxies: [proxy('orders', { failClosed }), proxy('cart', { policies: ['shop/x'] })],
    });
    const found = findingsIn('ASP003', input);
    expect(found).to.have.length(1);
    const f = found[0];
    expect(f?.severity).to.equal('high');
    expect(f?.object).to.deep.equal({ kind: 'ApiSecurityPolicy', namespace: 'shop', name: 'orders' });
    expect(f?.field).to.equal('spec.authorization.rules[1].from.principals[0]');
    expect(f?.message).to.equal(
      'policy not accepted (Accepted=False, Invalid): not a SPIFFE ID (and 1 more); every request to shop/orders on the ports it covers is denied (fail closed)',
    );
    expect(f?.hint).to.contain('aspen validate');
  });

  it('ASP003 says nothing is enforced when no port fails closed (e.g. an Audit-mode policy)', () => {
    const found = findingsIn('ASP003', auditInput({ statuses: [invalid] }));
    expect(found[0]?.message).to.contain('nothing it configures is enforced').and.not.contain('fail closed');
  });

  it('ASP003 reports unresolved references', () => {
    const missing = status(
      'orders',
      [condition('Accepted', true, 'Accepted'), condition('ResolvedRefs', false, 'RefNotFound')],
      [{ path: ['spec', 'apiKeys', 'clients', 0, 'secretRef'], message: 'Secret shop/k not found' }],
    );
    const found = findingsIn('ASP003', auditInput({ statuses: [missing] }));
    expect(found.map((f) => f.field)).to.deep.equal(['spec.apiKeys.clients[0].secretRef']);
    expect(found[0]?.message).to.contain('RefNotFound').and.contain('Secret shop/k not found');
  });

  it('ASP003 and ASP004 stay quiet for an accepted policy', () => {
    const input = auditInput({ statuses: [acceptedStatus('orders')] });
    expect(findingsIn('ASP003', input)).to.deep.equal([]);
    expect(findingsIn('ASP004', input)).to.deep.equal([]);
  });

  it('ASP004 (medium, not ASP003) reports a conflicted policy at the conflicting field', () => {
    const message = 'STRICT conflicts with PERMISSIVE in shop/other; the stricter setting applies (STRICT)';
    const conflicted = status(
      'orders',
      [condition('Accepted', false, 'Conflicted', `spec.mtls.mode: ${message}`)],
      [{ path: ['spec', 'mtls', 'mode'], message }],
    );
    const input = auditInput({ statuses: [conflicted] });
    expect(findingsIn('ASP003', input)).to.deep.equal([]);
    const found = findingsIn('ASP004', input);
    expect(found.map((f) => [f.severity, f.field])).to.deep.equal([['medium', 'spec.mtls.mode']]);
    expect(found[0]?.message).to.equal(
      `policy conflicts with another policy on the same workload: ${message}`,
    );
  });

  it('ASP004 says the stricter setting is enforced when the condition carries no message', () => {
    const conflicted = status('orders', [condition('Accepted', false, 'Conflicted')]);
    const found = findingsIn('ASP004', auditInput({ statuses: [conflicted] }));
    expect(found.map((f) => [f.field, f.message])).to.deep.equal([
      [
        undefined,
        'policy conflicts with another policy on the same workload; the stricter setting is enforced',
      ],
    ]);
  });

  it('attributes each condition of a policy both conflicted and unresolved to its own field', () => {
    const both = status(
      'orders',
      [
        condition('Accepted', false, 'Conflicted', 'spec.mtls.mode: conflicts with shop/other'),
        condition(
          'ResolvedRefs',
          false,
          'RefNotFound',
          'spec.apiKeys.clients[0].secretRef: Secret shop/k not found',
        ),
      ],
      [
        { path: ['spec', 'apiKeys', 'clients', 0, 'secretRef'], message: 'Secret shop/k not found' },
        { path: ['spec', 'mtls', 'mode'], message: 'conflicts with shop/other' },
      ],
    );
    const input = auditInput({ statuses: [both] });
    expect(findingsIn('ASP003', input).map((f) => f.field)).to.deep.equal([
      'spec.apiKeys.clients[0].secretRef',
    ]);
    expect(findingsIn('ASP004', input).map((f) => f.field)).to.deep.equal(['spec.mtls.mode']);
  });
});
