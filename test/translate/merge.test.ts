import { expect } from 'chai';
import { snapshot } from '../fixtures/snapshot.js';
import { portOf, run, statusOf } from '../fixtures/translate.js';

/** One workload `shop/orders` on port 8080 and the given policies, all selecting it. */
function orders(...specs: Record<string, unknown>[]): ReturnType<typeof snapshot> {
  const builder = snapshot().workload('shop', 'orders', { app: 'orders' }, [8080]);
  specs.forEach((spec, i) => builder.policy('shop', `p${i + 1}`, { selector: {}, ...spec }));
  return builder;
}

function enforced(...specs: Record<string, unknown>[]): ReturnType<typeof portOf>['enforce'] {
  return portOf(run(orders(...specs)), 'shop/orders', 8080).enforce;
}

const jwtProvider = (name: string, issuer: string): Record<string, unknown> => ({
  name,
  issuer,
  jwks: { remote: { uri: `${issuer}jwks.json` } },
});

describe('translate: merging the policies that cover one port', () => {
  it('takes the strictest mTLS mode', () => {
    expect(enforced({ mtls: { mode: 'PERMISSIVE' } }, { mtls: { mode: 'DISABLE' } }).mtls).to.equal(
      'PERMISSIVE',
    );
    expect(enforced({ mtls: { mode: 'PERMISSIVE' } }, {}).mtls).to.equal('STRICT');
    expect(enforced({ mtls: { mode: 'DISABLE' } }).mtls).to.equal('DISABLE');
  });

  it('keeps the rules of every policy, with ids <ns>/<policy>/<rule>, sorted', () => {
    const authz = enforced(
      { authorization: { rules: [{ name: 'write', action: 'Deny', to: { methods: ['POST'] } }] } },
      { authorization: { rules: [{ name: 'read', to: { methods: ['GET'] } }] } },
    ).authorization;
    expect(authz.rules.map((r) => [r.id, r.action])).to.deep.equal([
      ['shop/p1/write', 'Deny'],
      ['shop/p2/read', 'Allow'],
    ]);
    expect(authz.defaultAction).to.equal('Deny');
  });

  it('allows by default only when every policy says Allow', () => {
    const allow = { authorization: { defaultAction: 'Allow' } };
    expect(enforced(allow, allow).authorization.defaultAction).to.equal('Allow');
    expect(enforced(allow, {}).authorization.defaultAction).to.equal('Deny');
  });

  it('unions JWT providers and requires a token if any policy does', () => {
    const jwt = enforced(
      { jwt: { required: false, providers: [jwtProvider('corp', 'https://login.example.com/')] } },
      { jwt: { required: true, providers: [jwtProvider('partner', 'https://partner.example.com/')] } },
    ).jwt;
    expect(jwt?.required).to.equal(true);
    expect(jwt?.providers.map((p) => p.id)).to.deep.equal(['shop/p1/corp', 'shop/p2/partner']);
  });

  it('does not require a token when no policy does', () => {
    const optional = {
      jwt: { required: false, providers: [jwtProvider('corp', 'https://login.example.com/')] },
    };
    expect(enforced(optional, {}).jwt?.required).to.equal(false);
    expect(enforced({}, {}).jwt).to.equal(undefined);
  });

  it('unions API-key clients', () => {
    const apiKeys = (client: string): Record<string, unknown> => ({
      apiKeys: {
        from: { header: 'x-api-key' },
        clients: [{ name: client, secretRef: { name: client, key: 'key' } }],
      },
    });
    const result = run(
      orders(apiKeys('b'), apiKeys('a'))
        .secret('shop', 'a', { key: 'k1' })
        .secret('shop', 'b', { key: 'k2' }),
    );
    const keys = portOf(result, 'shop/orders', 8080).enforce.apiKeys;
    expect(keys?.source).to.deep.equal({ header: 'x-api-key' });
    expect(keys?.clients).to.deep.equal([
      { id: 'shop/p1/b', name: 'b', secretRef: { namespace: 'shop', name: 'b', key: 'key' } },
      { id: 'shop/p2/a', name: 'a', secretRef: { namespace: 'shop', name: 'a', key: 'key' } },
    ]);
    expect(statusOf(result, 'shop/p1').problems).to.deep.equal([]);
  });

  it('keeps every rate limit, so the smallest matching one wins', () => {
    const limit = (name: string, requests: number): Record<string, unknown> => ({
      rateLimits: [{ name, requests, per: '1m' }],
    });
    const limits = enforced(limit('fast', 100), limit('slow', 10)).rateLimits;
    expect(limits.map((l) => [l.id, l.requests, l.intervalMs])).to.deep.equal([
      ['shop/p1/fast', 100, 60_000],
      ['shop/p2/slow', 10, 60_000],
    ]);
  });

  it('takes the smallest size limits and intersects the allow-lists of request validation', () => {
    const rv = enforced(
      {
        requestValidation: {
          maxBodyBytes: 1000,
          maxHeadersKb: 8,
          allowedMethods: ['GET', 'POST', 'PUT'],
          allowedContentTypes: ['application/json', 'text/plain'],
        },
      },
      {
        requestValidation: {
          maxBodyBytes: 500,
          allowedMethods: ['POST', 'GET'],
          allowedContentTypes: ['application/json'],
        },
      },
      { requestValidation: { maxHeadersKb: 16 } },
    ).requestValidation;
    expect(rv).to.deep.include({
      maxBodyBytes: 500,
      maxHeadersKb: 8,
      allowedMethods: ['GET', 'POST'],
      allowedContentTypes: ['application/json'],
    });
  });

  it('requires every header any policy requires, lower-cased', () => {
    const rv = enforced(
      { requestValidation: { requiredHeaders: ['X-Request-Id'] } },
      { requestValidation: { requiredHeaders: ['x-tenant', 'x-request-id'] } },
    ).requestValidation;
    expect(rv.requiredHeaders).to.deep.equal(['x-request-id', 'x-tenant']);
  });

  it('accepts path parameters only when every policy allows them', () => {
    const allow = { requestValidation: { allowPathParameters: true } };
    expect(enforced(allow, allow).requestValidation.allowPathParameters).to.equal(true);
    expect(enforced(allow, {}).requestValidation.allowPathParameters).to.equal(false);
  });

  it('admits only the peers every segmenting policy allows', () => {
    const result = run(
      orders(
        { segmentation: { allowFrom: [{ podSelector: { matchLabels: { role: 'client' } } }] } },
        { segmentation: { allowFrom: [{ podSelector: { matchLabels: { app: 'web' } } }] } },
        {},
      )
        .workload('shop', 'web', { app: 'web', role: 'client' }, [80])
        .serviceAccount('web')
        .workload('shop', 'batch', { role: 'client' }, [])
        .serviceAccount('batch'),
    );
    expect(portOf(result, 'shop/orders', 8080).enforce.segmentation).to.deep.equal({
      allowedPrincipals: ['spiffe://cluster.local/ns/shop/sa/web'],
      policies: ['shop/p1', 'shop/p2'],
    });
  });

  it('logs access if any policy asks, and redacts every header any policy names', () => {
    const port = portOf(
      run(
        orders(
          { logging: { accessLog: false, redactHeaders: ['X-Secret'] } },
          { logging: { accessLog: true, redactHeaders: ['x-user-id'] } },
        ),
      ),
      'shop/orders',
      8080,
    );
    expect(port.accessLog).to.deep.equal({
      enabled: true,
      redactHeaders: ['authorization', 'cookie', 'proxy-authorization', 'x-secret', 'x-user-id'],
    });
    const quiet = { logging: { accessLog: false } };
    expect(portOf(run(orders(quiet, quiet)), 'shop/orders', 8080).accessLog.enabled).to.equal(false);
  });

  it('redacts the API-key header and the headers JWTs are read from', () => {
    const result = run(
      orders({
        jwt: {
          providers: [
            {
              ...jwtProvider('corp', 'https://login.example.com/'),
              from: [{ header: { name: 'X-Token' } }, { cookie: 'session' }],
            },
          ],
        },
        apiKeys: {
          from: { header: 'X-Api-Key' },
          clients: [{ name: 'a', secretRef: { name: 'a', key: 'key' } }],
        },
      }).secret('shop', 'a', { key: 'k' }),
    );
    expect(portOf(result, 'shop/orders', 8080).accessLog.redactHeaders).to.deep.equal([
      'authorization',
      'cookie',
      'proxy-authorization',
      'x-api-key',
      'x-token',
    ]);
  });

  it('lists every policy that covers the port and accepts them all', () => {
    const result = run(orders({}, {}));
    expect(portOf(result, 'shop/orders', 8080).policies).to.deep.equal(['shop/p1', 'shop/p2']);
    expect(statusOf(result, 'shop/p1').conditions[0]).to.deep.include({ type: 'Accepted', status: 'True' });
  });
});
