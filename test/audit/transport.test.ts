import { expect } from 'chai';
import { findingsFor, policy } from './fixtures.js';

describe('audit: mTLS and segmentation', () => {
  it('ASP005 reports PERMISSIVE mTLS as medium', () => {
    const found = findingsFor('ASP005', policy('p', { mtls: { mode: 'PERMISSIVE' } }));
    expect(found.map((f) => [f.severity, f.field])).to.deep.equal([['medium', 'spec.mtls.mode']]);
    expect(found[0]?.hint).to.contain('STRICT');
  });

  it('ASP006 reports DISABLE mTLS as high, and not as ASP005', () => {
    const p = policy('p', { mtls: { mode: 'DISABLE' } });
    expect(findingsFor('ASP006', p).map((f) => [f.severity, f.field])).to.deep.equal([
      ['high', 'spec.mtls.mode'],
    ]);
    expect(findingsFor('ASP005', p)).to.deep.equal([]);
  });

  it('ASP005/ASP006 stay quiet for STRICT or unset mTLS', () => {
    for (const p of [policy('a', { mtls: { mode: 'STRICT' } }), policy('b'), policy('c', { mtls: {} })]) {
      expect(findingsFor('ASP005', p)).to.deep.equal([]);
      expect(findingsFor('ASP006', p)).to.deep.equal([]);
    }
  });

  it('ASP015 reports an empty segmentation.allowFrom (nobody can connect)', () => {
    const found = findingsFor('ASP015', policy('p', { segmentation: { allowFrom: [] } }));
    expect(found.map((f) => [f.severity, f.field])).to.deep.equal([['info', 'spec.segmentation.allowFrom']]);
    expect(found[0]?.message).to.contain('no peer can connect');
  });

  it('ASP015 stays quiet when peers are listed or segmentation is unset', () => {
    const listed = policy('p', {
      segmentation: { allowFrom: [{ podSelector: { matchLabels: { app: 'a' } } }] },
    });
    expect(findingsFor('ASP015', listed, policy('q'))).to.deep.equal([]);
  });
});
