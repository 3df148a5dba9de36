import { expect } from 'chai';
import { snapshot } from '../fixtures/snapshot.js';
import { portOf, run } from '../fixtures/translate.js';
import type { PolicySetIR } from '../../src/ir/index.js';

/** The enforced settings of `shop/orders:8080` under one policy `shop/p` with this spec. */
function enforced(spec: Record<string, unknown>): PolicySetIR {
  const result = run(
    snapshot()
      .workload('shop', 'orders', {}, [8080])
      .policy('shop', 'p', { selector: {}, ...spec }),
  );
  return portOf(result, 'shop/orders', 8080).enforce;
}

const provider = { name: 'corp', issuer: 'https://login.example.com/' };

describe('translate: API fields into IR', () => {
  describe('authorization rules', () => {
    it('turns namespaces into SPIFFE prefixes and keeps principals, exact or prefix', () => {
      const rules = enforced({
        authorization: {
          rules: [
            { name: 'ns', from: { namespaces: ['web'] } },
            {
              name: 'ids',
              from: {
                principals: ['spiffe://cluster.local/ns/web/sa/frontend', 'spiffe://cluster.local/ns/ops/*'],
              },
            },
          ],
        },
      }).authorization.rules;
      expect(rules.map((r) => [r.id, r.from.principals])).to.deep.equal([
        [
          'shop/p/ids',
          [
            { exact: 'spiffe://cluster.local/ns/web/sa/frontend' },
            { prefix: 'spiffe://cluster.local/ns/ops/' },
          ],
        ],
        ['shop/p/ns', [{ prefix: 'spiffe://cluster.local/ns/web/sa/' }]],
      ]);
    });

    it('turns path patterns into exact and prefix matches, methods and lists sorted', () => {
      const [rule] = enforced({
        authorization: {
          rules: [
            {
              name: 'r',
              action: 'Deny',
              from: { ipBlocks: ['192.168.0.0/16', '10.0.0.0/8'], apiKeyClients: ['b', 'a'] },
              to: { methods: ['POST', 'GET'], paths: ['/orders/*', '/orders', '/*'] },
            },
          ],
        },
        apiKeys: {
          from: { header: 'x-api-key' },
          clients: [
            { name: 'a', secretRef: { name: 's', key: 'a' } },
            { name: 'b', secretRef: { name: 's', key: 'b' } },
          ],
        },
      }).authorization.rules;
      expect(rule).to.deep.equal({
        id: 'shop/p/r',
        action: 'Deny',
        from: { ipBlocks: ['10.0.0.0/8', '192.168.0.0/16'], apiKeyClients: ['a', 'b'] },
        to: {
          methods: ['GET', 'POST'],
          paths: [{ exact: '/orders' }, { prefix: '/' }, { prefix: '/orders/' }],
        },
      });
    });

    it('defaults the action to Allow and leaves out conditions that were not given', () => {
      const [rule] = enforced({ authorization: { rules: [{ name: 'all' }] } }).authorization.rules;
      expect(rule).to.deep.equal({ id: 'shop/p/all', action: 'Allow', from: {}, to: {} });
    });

    it('keeps JWT claim conditions, sorted by claim', () => {
      const [rule] = enforced({
        jwt: { providers: [{ ...provider, jwks: { remote: { uri: 'https://login.example.com/jwks' } } }] },
        authorization: {
          rules: [
            {
              name: 'r',
              from: {
                jwtClaims: [
                  { name: 'scope', values: ['w', 'r'] },
                  { name: 'aud', values: ['x'] },
                ],
              },
            },
          ],
        },
      }).authorization.rules;
      expect(rule?.from.jwtClaims).to.deep.equal([
        { name: 'aud', values: ['x'] },
        { name: 'scope', values: ['r', 'w'] },
      ]);
    });
  });

  describe('JWT providers', () => {
    it('fills the defaults: Bearer token in Authorization, 10m cache, 5s timeout, 60s skew, required', () => {
      const jwt = enforced({
        jwt: { providers: [{ ...provider, jwks: { remote: { uri: 'https://login.example.com/jwks' } } }] },
      }).jwt;
      expect(jwt).to.deep.equal({
        required: true,
        providers: [
          {
            id: 'shop/p/corp',
            policy: 'shop/p',
            issuer: 'https://login.example.com/',
            audiences: [],
            jwks: {
              remote: { uri: 'https://login.example.com/jwks', cacheDurationMs: 600_000, timeoutMs: 5_000 },
            },
            sources: [{ header: 'authorization', prefix: 'Bearer ' }],
            forwardClaims: [],
            clockSkewSeconds: 60,
          },
        ],
      });
    });

    it('converts every field: sources in order, header names lower-cased, durations', () => {
      const [p] =
        enforced({
          jwt: {
            providers: [
              {
                ...provider,
                audiences: ['b', 'a'],
                jwks: {
                  remote: { uri: 'https://login.example.com/jwks', cacheDuration: '1h30m', timeout: '500ms' },
                },
                from: [{ cookie: 'session' }, { header: { name: 'X-Token' } }, { query: 'access_token' }],
                forwardClaims: [
                  { claim: 'sub', header: 'X-User-Id' },
                  { claim: 'email', header: 'x-email' },
                ],
                clockSkew: '1m30s',
              },
            ],
          },
        }).jwt?.providers ?? [];
      expect(p?.audiences).to.deep.equal(['a', 'b']);
      expect(p?.jwks).to.deep.equal({
        remote: { uri: 'https://login.example.com/jwks', cacheDurationMs: 5_400_000, timeoutMs: 500 },
      });
      expect(p?.sources).to.deep.equal([
        { cookie: 'session' },
        { header: 'x-token', prefix: '' },
        { query: 'access_token' },
      ]);
      expect(p?.forwardClaims).to.deep.equal([
        { claim: 'email', header: 'x-email' },
        { claim: 'sub', header: 'x-user-id' },
      ]);
      expect(p?.clockSkewSeconds).to.equal(90);
    });

    it('carries an inline key set as is', () => {
      const inline = JSON.stringify({ keys: [{ kty: 'EC', crv: 'P-256', x: 'AAAA', y: 'BBBB' }] });
      const jwt = enforced({ jwt: { providers: [{ ...provider, jwks: { inline } }] } }).jwt;
      expect(jwt?.providers[0]?.jwks).to.deep.equal({ inline });
    });
  });

  describe('rate limits', () => {
    it('converts each key kind, the interval, and defaults burst 0 and scope Local', () => {
      const limits = enforced({
        jwt: { providers: [{ ...provider, jwks: { remote: { uri: 'https://login.example.com/jwks' } } }] },
        apiKeys: { from: { query: 'api_key' }, clients: [{ name: 'a', secretRef: { name: 's', key: 'a' } }] },
        rateLimits: [
          { name: 'a-claim', key: { jwtClaim: 'sub' }, requests: 10, per: '1s' },
          {
            name: 'b-header',
            key: { header: 'X-Tenant' },
            requests: 10,
            per: '1m',
            burst: 5,
            scope: 'Global',
          },
          { name: 'c-ip', key: { remoteAddress: {} }, requests: 10, per: '1h' },
          { name: 'd-client', key: { apiKeyClient: {} }, requests: 10, per: '500ms' },
          { name: 'e-all', match: { methods: ['POST'], paths: ['/orders/*'] }, requests: 1, per: '10s' },
        ],
      }).rateLimits;
      expect(limits.map((l) => [l.id, l.key, l.intervalMs, l.burst, l.scope])).to.deep.equal([
        ['shop/p/a-claim', { jwtClaim: 'sub' }, 1_000, 0, 'Local'],
        ['shop/p/b-header', { header: 'x-tenant' }, 60_000, 5, 'Global'],
        ['shop/p/c-ip', { remoteAddress: true }, 3_600_000, 0, 'Local'],
        ['shop/p/d-client', { apiKeyClient: true }, 500, 0, 'Local'],
        ['shop/p/e-all', undefined, 10_000, 0, 'Local'],
      ]);
      expect(limits[4]?.match).to.deep.equal({ methods: ['POST'], paths: [{ prefix: '/orders/' }] });
      expect(limits[0]?.match).to.deep.equal({});
      expect(limits[4]).to.not.have.property('key');
    });
  });

  describe('API keys', () => {
    it('lower-cases the header and keeps the client secrets as references only', () => {
      const keys = enforced({
        apiKeys: {
          from: { header: 'X-Api-Key' },
          clients: [{ name: 'a', secretRef: { name: 's', key: 'a' } }],
        },
      }).apiKeys;
      expect(keys).to.deep.equal({
        source: { header: 'x-api-key' },
        clients: [{ id: 'shop/p/a', name: 'a', secretRef: { namespace: 'shop', name: 's', key: 'a' } }],
      });
    });
  });
});
