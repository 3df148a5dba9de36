import { expect } from 'chai';
import { API_KEY_CLIENT_HEADER, AUDIT_API_KEY_CLIENT_HEADER } from '../../../../src/api/contracts.js';
import type { PolicySetIR, PortIR, RuleIR } from '../../../../src/ir/index.js';
import { ENFORCE_PAYLOAD_KEY } from '../../../../src/xds/translate/filters/jwt-providers.js';
import { pathParamsFilter } from '../../../../src/xds/translate/filters/path-params.js';
import { rbacFilters } from '../../../../src/xds/translate/filters/rbac.js';
import { JWT_METADATA_NAMESPACE } from '../../../../src/xds/translate/filters/rbac-matchers.js';
import { context, policySet, port, rule } from './fixtures.js';
import type { EvalRequest, EvalResult } from './rbac-eval.js';
import { evaluateRbac, evaluateShadow } from './rbac-eval.js';

const WEB = 'spiffe://cluster.local/ns/shop/sa/web';
const BILLING = 'spiffe://cluster.local/ns/billing/sa/api';

/** The path-parameter and RBAC filters of a port, in chain order. */
function chain(p: PortIR): ReturnType<typeof rbacFilters.build>['httpFilters'] {
  return [...pathParamsFilter.build(context(p)).httpFilters, ...rbacFilters.build(context(p)).httpFilters];
}

/** Decides a request on a port whose Enforce set has these rules. */
function decide(rules: RuleIR[], req: EvalRequest, overrides: Partial<PolicySetIR> = {}): EvalResult {
  const enforce = policySet({ authorization: { defaultAction: 'Deny', rules }, ...overrides });
  return evaluateRbac(chain(port({ enforce })), req);
}

/** A request carrying a verified JWT payload. */
function withClaims(payload: Record<string, unknown>, req: EvalRequest): EvalRequest {
  return { ...req, metadata: { [JWT_METADATA_NAMESPACE]: { [ENFORCE_PAYLOAD_KEY]: payload } } };
}

const get = (path: string, peer?: string): EvalRequest => ({ method: 'GET', path, peer });

describe('xds/translate/filters/rbac behaviour', () => {
  const readOrders = rule('read', {
    from: { principals: [{ prefix: 'spiffe://cluster.local/ns/shop/sa/' }] },
    to: { methods: ['GET'], paths: [{ prefix: '/orders/' }] },
  });

  it('a peer of an allowed namespace may call an allowed path; another namespace may not', () => {
    expect(decide([readOrders], get('/orders/1', WEB))).to.deep.equal({ allowed: true });
    expect(decide([readOrders], get('/orders/1', BILLING))).to.deep.equal({
      allowed: false,
      by: 'aspen.rbac.allow',
    });
  });

  it('default deny: a request no Allow rule matches is denied (other method, other path, no mTLS identity)', () => {
    expect(decide([readOrders], { method: 'DELETE', path: '/orders/1', peer: WEB }).allowed).to.equal(false);
    expect(decide([readOrders], get('/admin', WEB)).allowed).to.equal(false);
    expect(decide([readOrders], get('/orders/1')).allowed).to.equal(false);
  });

  it('Deny wins over Allow for the same request', () => {
    const deny = rule('no-admin', { action: 'Deny', to: { paths: [{ prefix: '/orders/admin' }] } });
    expect(decide([readOrders, deny], get('/orders/admin', WEB))).to.deep.equal({
      allowed: false,
      by: 'aspen.rbac.deny',
    });
    expect(decide([readOrders, deny], get('/orders/2', WEB)).allowed).to.equal(true);
  });

  it('a path parameter cannot smuggle a denied path past RBAC: /admin;x is refused before RBAC runs', () => {
    const deny = rule('no-admin', { action: 'Deny', to: { paths: [{ exact: '/admin' }] } });
    const allowAll = rule('all');
    expect(decide([allowAll, deny], get('/admin;jsessionid=1'))).to.deep.equal({
      allowed: false,
      by: 'aspen.path_parameters',
    });
    expect(decide([allowAll, deny], get('/admin%3Bx')).allowed).to.equal(false);
    expect(decide([allowAll, deny], get('/public?a=1;b=2')).allowed).to.equal(true);
  });

  it('a claim rule holds for a string claim or a list claim containing a value, and not without a token', () => {
    const admins = rule('admins', { from: { jwtClaims: [{ name: 'realm.roles', values: ['admin'] }] } });
    expect(decide([admins], withClaims({ realm: { roles: ['dev', 'admin'] } }, get('/x'))).allowed).to.equal(
      true,
    );
    expect(decide([admins], withClaims({ realm: { roles: 'admin' } }, get('/x'))).allowed).to.equal(true);
    expect(decide([admins], withClaims({ realm: { roles: ['dev'] } }, get('/x'))).allowed).to.equal(false);
    expect(decide([admins], get('/x')).allowed).to.equal(false);
  });

  it('an API-key client rule matches the client the check named', () => {
    const web = rule('web', { from: { apiKeyClients: ['web'] } });
    expect(decide([web], { ...get('/x'), headers: { [API_KEY_CLIENT_HEADER]: 'web' } }).allowed).to.equal(
      true,
    );
    expect(decide([web], { ...get('/x'), headers: { [API_KEY_CLIENT_HEADER]: 'batch' } }).allowed).to.equal(
      false,
    );
    expect(decide([web], get('/x')).allowed).to.equal(false);
  });

  it('ip blocks match the direct peer address', () => {
    const internal = rule('internal', { from: { ipBlocks: ['10.0.0.0/8'] } });
    expect(decide([internal], { ...get('/x'), remoteIp: '10.1.2.3' }).allowed).to.equal(true);
    expect(decide([internal], { ...get('/x'), remoteIp: '11.0.0.1' }).allowed).to.equal(false);
  });

  it('a rule whose principals and namespaces do not overlap matches nobody', () => {
    expect(decide([rule('none', { from: { principals: [] } })], get('/x', WEB)).allowed).to.equal(false);
  });

  it('Audit never blocks: a request Audit rules would deny passes an allow-all Enforce set', () => {
    const audit = policySet({
      authorization: { defaultAction: 'Deny', rules: [rule('no', { action: 'Deny' })] },
    });
    const p = port({
      enforce: policySet({
        authorization: { defaultAction: 'Allow', rules: [] },
        requestValidation: { requiredHeaders: [], allowPathParameters: true, openapi: [] },
      }),
      audit,
    });
    expect(evaluateRbac(chain(p), get('/admin;x'))).to.deep.equal({ allowed: true });
  });

  it('Audit rules naming API-key clients match the client the Audit check found, and never block', () => {
    const keys = {
      source: { header: 'x-api-key' },
      clients: [
        { id: 'shop/p/batch', name: 'batch', secretRef: { namespace: 'shop', name: 'k', key: 'batch' } },
      ],
    };
    const noBatch = rule('no-batch', { action: 'Deny', from: { apiKeyClients: ['batch'] } });
    const audit = policySet({ apiKeys: keys, authorization: { defaultAction: 'Allow', rules: [noBatch] } });
    const p = port({ enforce: policySet({ authorization: { defaultAction: 'Allow', rules: [] } }), audit });
    const asAudit: EvalRequest = { ...get('/orders'), headers: { [AUDIT_API_KEY_CLIENT_HEADER]: 'batch' } };
    expect(evaluateShadow(chain(p), asAudit)['aspen.rbac.audit_deny']).to.deep.equal({
      result: 'denied',
      policy: 'shop/p/no-batch',
    });
    expect(evaluateRbac(chain(p), asAudit)).to.deep.equal({ allowed: true });
    const enforcingHeaderOnly: EvalRequest = {
      ...get('/orders'),
      headers: { [API_KEY_CLIENT_HEADER]: 'batch' },
    };
    expect(evaluateShadow(chain(p), enforcingHeaderOnly)['aspen.rbac.audit_deny']).to.deep.equal({
      result: 'allowed',
    });
  });

  it('Audit rules read the enforcing client header when only Enforce policies configure API keys', () => {
    const noBatch = rule('no-batch', { action: 'Deny', from: { apiKeyClients: ['batch'] } });
    const audit = policySet({ authorization: { defaultAction: 'Allow', rules: [noBatch] } });
    const p = port({ enforce: policySet({ authorization: { defaultAction: 'Allow', rules: [] } }), audit });
    const req: EvalRequest = { ...get('/orders'), headers: { [API_KEY_CLIENT_HEADER]: 'batch' } };
    expect(evaluateShadow(chain(p), req)['aspen.rbac.audit_deny']?.result).to.equal('denied');
  });

  it('a port that failed closed denies even what its rules allow', () => {
    const p = port({
      enforce: policySet({ authorization: { defaultAction: 'Deny', rules: [rule('all')] } }),
      failClosed: [{ policy: 'shop/bad', reason: 'Invalid' }],
    });
    expect(evaluateRbac(chain(p), get('/x', WEB))).to.deep.equal({
      allowed: false,
      by: 'aspen.rbac.fail_closed',
    });
  });
});
