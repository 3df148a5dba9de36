import { expect } from 'chai';
import { pathMatch, peerPrincipals, principalMatch, spiffeId } from '../../src/translate/match.js';

const TD = 'cluster.local';

describe('pathMatch', () => {
  it('turns /x/* into a prefix match on /x/', () => {
    expect(pathMatch('/orders/*')).to.deep.equal({ prefix: '/orders/' });
  });
  it('turns /* into a prefix match on /', () => {
    expect(pathMatch('/*')).to.deep.equal({ prefix: '/' });
  });
  it('matches anything else exactly, including a * that does not follow a /', () => {
    expect(pathMatch('/orders')).to.deep.equal({ exact: '/orders' });
    expect(pathMatch('/orders/')).to.deep.equal({ exact: '/orders/' });
    expect(pathMatch('/orders*')).to.deep.equal({ exact: '/orders*' });
  });
});

describe('principalMatch', () => {
  it('matches a SPIFFE ID exactly', () => {
    const id = 'spiffe://cluster.local/ns/shop/sa/frontend';
    expect(principalMatch(id)).to.deep.equal({ exact: id });
  });
  it('turns a trailing * into a prefix match', () => {
    expect(principalMatch('spiffe://cluster.local/ns/shop/*')).to.deep.equal({
      prefix: 'spiffe://cluster.local/ns/shop/',
    });
  });
});

describe('spiffeId', () => {
  it('derives the identity from trust domain, namespace and service account', () => {
    expect(spiffeId(TD, 'shop', 'orders')).to.equal('spiffe://cluster.local/ns/shop/sa/orders');
  });
});

describe('peerPrincipals', () => {
  const frontend = 'spiffe://cluster.local/ns/shop/sa/frontend';
  it('checks nothing when neither principals nor namespaces are given', () => {
    expect(peerPrincipals(TD, undefined, undefined)).to.equal(undefined);
  });
  it('turns namespaces into SPIFFE prefixes, sorted', () => {
    expect(peerPrincipals(TD, undefined, ['web', 'shop'])).to.deep.equal([
      { prefix: 'spiffe://cluster.local/ns/shop/sa/' },
      { prefix: 'spiffe://cluster.local/ns/web/sa/' },
    ]);
  });
  it('sorts principals, exact before prefix, without duplicates', () => {
    expect(peerPrincipals(TD, ['spiffe://a/*', frontend, frontend], undefined)).to.deep.equal([
      { exact: frontend },
      { prefix: 'spiffe://a/' },
    ]);
  });
  it('ANDs principals with namespaces: keeps the principals inside the namespaces', () => {
    const admin = 'spiffe://cluster.local/ns/admin/sa/tool';
    expect(peerPrincipals(TD, [frontend, admin], ['shop'])).to.deep.equal([{ exact: frontend }]);
  });
  it('narrows a broader principal pattern to the namespace prefix', () => {
    expect(peerPrincipals(TD, ['spiffe://cluster.local/*'], ['shop'])).to.deep.equal([
      { prefix: 'spiffe://cluster.local/ns/shop/sa/' },
    ]);
    expect(peerPrincipals(TD, ['spiffe://cluster.local/ns/shop/sa/front*'], ['shop'])).to.deep.equal([
      { prefix: 'spiffe://cluster.local/ns/shop/sa/front' },
    ]);
  });
  it('gives an empty list (no peer matches) when principals and namespaces do not overlap', () => {
    expect(peerPrincipals(TD, [frontend], ['admin'])).to.deep.equal([]);
  });
});
