import { expect } from 'chai';
import type { AuthorizationRule } from '../../src/api/v1alpha1/types.js';
import { findingsFor, jwtProvider, openRule, policy, rules } from './fixtures.js';

/** Fields and messages of ASP008 findings for a policy. */
function publicWrites(...spec: Parameters<typeof policy>[1][]): string[] {
  return spec.flatMap((s, i) =>
    findingsFor('ASP008', policy(`p${i}`, s)).map((f) => `${f.field}: ${f.message}`),
  );
}

describe('audit: authorization', () => {
  it('ASP007 reports defaultAction Allow (high)', () => {
    const found = findingsFor('ASP007', policy('p', { authorization: { defaultAction: 'Allow' } }));
    expect(found.map((f) => [f.severity, f.field])).to.deep.equal([
      ['high', 'spec.authorization.defaultAction'],
    ]);
  });

  it('ASP007 stays quiet for Deny, explicit or defaulted', () => {
    const p = [policy('a', { authorization: { defaultAction: 'Deny' } }), policy('b', { authorization: {} })];
    expect(findingsFor('ASP007', ...p)).to.deep.equal([]);
  });
});

describe('audit: ASP008 public write methods', () => {
  it('reports an Allow rule with no from and no to.methods: it covers every write method', () => {
    const found = findingsFor('ASP008', policy('p', { authorization: rules(openRule('anyone')) }));
    expect(found.map((f) => [f.severity, f.field])).to.deep.equal([['high', 'spec.authorization.rules[0]']]);
    expect(found[0]?.message).to.equal(
      'rule "anyone" allows DELETE, PATCH, POST, PUT on every path without authentication',
    );
  });

  it('names only the write methods the rule covers', () => {
    const spec = {
      jwt: { required: false, providers: [jwtProvider()] },
      authorization: rules(openRule('r', ['GET', 'POST'], ['/orders/*'])),
    };
    expect(publicWrites(spec)).to.deep.equal([
      'spec.authorization.rules[0]: rule "r" allows POST on /orders/* without authentication',
    ]);
  });

  it('treats ipBlocks and configured API keys as no authentication', () => {
    const ipOnly: AuthorizationRule = {
      name: 'lan',
      from: { ipBlocks: ['10.0.0.0/8'] },
      to: { methods: ['PUT'] },
    };
    const apiKeys = {
      from: { header: 'x-api-key' },
      clients: [{ name: 'a', secretRef: { name: 's', key: 'k' } }],
    };
    expect(publicWrites({ apiKeys, authorization: rules(ipOnly) })).to.have.length(1);
  });

  it('stays quiet when the policy requires a JWT (required defaults to true)', () => {
    const authorization = rules(openRule('anyone'));
    expect(publicWrites({ jwt: { providers: [jwtProvider()] }, authorization })).to.deep.equal([]);
    expect(
      publicWrites({ jwt: { required: true, providers: [jwtProvider()] }, authorization }),
    ).to.deep.equal([]);
  });

  it('stays quiet when from names a caller identity', () => {
    const froms: AuthorizationRule['from'][] = [
      { principals: ['spiffe://cluster.local/ns/shop/sa/frontend'] },
      { namespaces: ['shop'] },
      { jwtClaims: [{ name: 'scope', values: ['w'] }] },
      { apiKeyClients: ['partner-a'] },
    ];
    const specs = froms.map((from) => ({ authorization: rules({ name: 'r', from }) }));
    expect(publicWrites(...specs)).to.deep.equal([]);
  });

  it('stays quiet for read-only methods and for Deny rules', () => {
    const readOnly = { authorization: rules(openRule('read', ['GET', 'HEAD', 'OPTIONS'])) };
    const deny = { authorization: rules({ name: 'd', action: 'Deny' }) };
    expect(publicWrites(readOnly, deny)).to.deep.equal([]);
  });

  it('does not count methods refused by requestValidation.allowedMethods', () => {
    const spec = {
      requestValidation: { allowedMethods: ['GET' as const, 'POST' as const] },
      authorization: rules(openRule('r')),
    };
    expect(publicWrites(spec)).to.deep.equal([
      'spec.authorization.rules[0]: rule "r" allows POST on every path without authentication',
    ]);
  });

  it('does not count methods a Deny rule refuses to every caller on every path, but does for a path-limited Deny', () => {
    const denyWrites: AuthorizationRule = {
      name: 'no-writes',
      action: 'Deny',
      to: { methods: ['DELETE', 'PATCH', 'POST', 'PUT'] },
    };
    const denySome: AuthorizationRule = { name: 'no-admin', action: 'Deny', to: { paths: ['/admin/*'] } };
    const denyLan: AuthorizationRule = { name: 'no-lan', action: 'Deny', from: { ipBlocks: ['10.0.0.0/8'] } };
    expect(publicWrites({ authorization: rules(openRule('r'), denyWrites) })).to.deep.equal([]);
    expect(publicWrites({ authorization: rules(openRule('r'), denySome) })).to.have.length(1);
    expect(publicWrites({ authorization: rules(openRule('r'), denyLan) })).to.have.length(1);
  });
});
