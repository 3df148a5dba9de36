import { expect } from 'chai';
import { findingsFor, policy } from './fixtures.js';

describe('audit: settings that are not enforced', () => {
  it('ASP013 reports Audit mode (medium)', () => {
    const found = findingsFor('ASP013', policy('p', { mode: 'Audit' }));
    expect(found.map((f) => [f.severity, f.field])).to.deep.equal([['medium', 'spec.mode']]);
    expect(found[0]?.message).to.contain('never blocked');
  });

  it('ASP013 stays quiet for Enforce mode, explicit or defaulted', () => {
    expect(findingsFor('ASP013', policy('a', { mode: 'Enforce' }), policy('b'))).to.deep.equal([]);
  });

  it('ASP014 reports requestValidation.openapi as not enforced yet (info)', () => {
    const requestValidation = { openapi: { configMapRef: { name: 'orders-openapi', key: 'openapi.yaml' } } };
    const found = findingsFor('ASP014', policy('p', { requestValidation }));
    expect(found.map((f) => [f.severity, f.field])).to.deep.equal([
      ['info', 'spec.requestValidation.openapi'],
    ]);
  });

  it('ASP014 stays quiet for request validation without openapi', () => {
    expect(findingsFor('ASP014', policy('p', { requestValidation: { maxBodyBytes: 1024 } }))).to.deep.equal(
      [],
    );
  });
});
