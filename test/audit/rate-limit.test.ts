import { expect } from 'chai';
import type { ApiSecurityPolicySpec, RateLimit } from '../../src/api/v1alpha1/types.js';
import { findingsFor, jwtProvider, openRule, policy, rules } from './fixtures.js';

/** Fields of ASP009 findings for one policy spec. */
function unlimited(spec: Partial<ApiSecurityPolicySpec>): (string | undefined)[] {
  return findingsFor('ASP009', policy('p', spec)).map((f) => f.field);
}

const perIp = (extra: Partial<RateLimit> = {}): RateLimit => ({
  name: 'per-ip',
  key: { remoteAddress: {} },
  requests: 10,
  per: '1s',
  ...extra,
});

const publicReads = rules(openRule('public', ['GET'], ['/public/*']));

describe('audit: ASP009 unauthenticated requests without a rate limit', () => {
  it('reports an anonymous Allow rule no limit counts (medium)', () => {
    const found = findingsFor('ASP009', policy('p', { authorization: publicReads }));
    expect(found.map((f) => [f.severity, f.field])).to.deep.equal([
      ['medium', 'spec.authorization.rules[0]'],
    ]);
    expect(found[0]?.message).to.contain('/public/*');
  });

  it('stays quiet when a limit counts every request, or exactly those methods and paths', () => {
    expect(unlimited({ authorization: publicReads, rateLimits: [perIp()] })).to.deep.equal([]);
    const match = { methods: ['GET' as const, 'POST' as const], paths: ['/public/*'] };
    expect(unlimited({ authorization: publicReads, rateLimits: [perIp({ match })] })).to.deep.equal([]);
    const wider = { paths: ['/*'] };
    expect(unlimited({ authorization: publicReads, rateLimits: [perIp({ match: wider })] })).to.deep.equal(
      [],
    );
  });

  it('reports when the limits cover only part of the rule', () => {
    const exactPath = perIp({ match: { paths: ['/public/a'] } });
    const postOnly = perIp({ match: { methods: ['POST'] } });
    expect(unlimited({ authorization: publicReads, rateLimits: [exactPath] })).to.have.length(1);
    expect(unlimited({ authorization: publicReads, rateLimits: [postOnly] })).to.have.length(1);
    const everyMethod = rules(openRule('any', undefined, ['/public/*']));
    const getOnly = perIp({ match: { methods: ['GET'] } });
    expect(unlimited({ authorization: everyMethod, rateLimits: [getOnly] })).to.have.length(1);
  });

  it('reports when the only limit is keyed by something anonymous callers do not have', () => {
    const byClient = perIp({ key: { apiKeyClient: {} } });
    const apiKeys = {
      from: { header: 'x-api-key' },
      clients: [{ name: 'a', secretRef: { name: 's', key: 'k' } }],
    };
    expect(unlimited({ apiKeys, authorization: publicReads, rateLimits: [byClient] })).to.have.length(1);
    const byHeader = perIp({ key: { header: 'x-tenant' } });
    expect(unlimited({ authorization: publicReads, rateLimits: [byHeader] })).to.deep.equal([]);
  });

  it('stays quiet for rules behind a required JWT or naming a caller identity', () => {
    const jwt = { providers: [jwtProvider()] };
    expect(unlimited({ jwt, authorization: publicReads })).to.deep.equal([]);
    const named = rules({ name: 'ns', from: { namespaces: ['shop'] } });
    expect(unlimited({ authorization: named })).to.deep.equal([]);
  });

  it('reports defaultAction Allow without a limit counting every request, unless a JWT is required', () => {
    const allow = { defaultAction: 'Allow' as const };
    expect(unlimited({ authorization: allow })).to.deep.equal(['spec.authorization.defaultAction']);
    expect(unlimited({ authorization: allow, rateLimits: [perIp()] })).to.deep.equal([]);
    const partial = perIp({ match: { paths: ['/api/*'] } });
    expect(unlimited({ authorization: allow, rateLimits: [partial] })).to.deep.equal([
      'spec.authorization.defaultAction',
    ]);
    expect(unlimited({ authorization: allow, jwt: { providers: [jwtProvider()] } })).to.deep.equal([]);
  });
});
