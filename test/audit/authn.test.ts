import { expect } from 'chai';
import { findingsFor, jwtProvider, policy } from './fixtures.js';

describe('audit: credentials', () => {
  it('ASP010 reports each JWT provider without audiences, at its field', () => {
    const p = policy('p', {
      jwt: {
        providers: [
          jwtProvider('good'),
          jwtProvider('none', { audiences: undefined }),
          jwtProvider('empty', { audiences: [] }),
        ],
      },
    });
    const found = findingsFor('ASP010', p);
    expect(found.map((f) => [f.severity, f.field])).to.deep.equal([
      ['medium', 'spec.jwt.providers[1].audiences'],
      ['medium', 'spec.jwt.providers[2].audiences'],
    ]);
    expect(found[0]?.message).to.contain('"none"');
  });

  it('ASP010 stays quiet when every provider has audiences', () => {
    expect(findingsFor('ASP010', policy('p', { jwt: { providers: [jwtProvider()] } }))).to.deep.equal([]);
  });

  it('ASP011 reports JWT tokens read from a query parameter (low)', () => {
    const from = [{ header: { name: 'Authorization', prefix: 'Bearer ' } }, { query: 'access_token' }];
    const found = findingsFor('ASP011', policy('p', { jwt: { providers: [jwtProvider('corp', { from })] } }));
    expect(found.map((f) => [f.severity, f.field])).to.deep.equal([
      ['low', 'spec.jwt.providers[0].from[1].query'],
    ]);
    expect(found[0]?.message).to.contain('access_token');
  });

  it('ASP011 stays quiet for header and cookie sources', () => {
    const from = [{ header: { name: 'Authorization' } }, { cookie: 'session' }];
    expect(
      findingsFor('ASP011', policy('p', { jwt: { providers: [jwtProvider('c', { from })] } })),
    ).to.deep.equal([]);
  });

  it('ASP012 reports API keys read from a query parameter (medium)', () => {
    const apiKeys = {
      from: { query: 'api_key' },
      clients: [{ name: 'a', secretRef: { name: 's', key: 'k' } }],
    };
    const found = findingsFor('ASP012', policy('p', { apiKeys }));
    expect(found.map((f) => [f.severity, f.field])).to.deep.equal([['medium', 'spec.apiKeys.from.query']]);
    expect(found[0]?.hint).to.contain('header');
  });

  it('ASP012 stays quiet for API keys in a header', () => {
    const apiKeys = {
      from: { header: 'x-api-key' },
      clients: [{ name: 'a', secretRef: { name: 's', key: 'k' } }],
    };
    expect(findingsFor('ASP012', policy('p', { apiKeys }))).to.deep.equal([]);
  });
});
