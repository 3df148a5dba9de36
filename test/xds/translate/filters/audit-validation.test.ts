import { expect } from 'chai';
import { RBAC_Action } from '../../../../src/gen/envoy/config/rbac/v3/rbac.js';
import { RBAC } from '../../../../src/gen/envoy/extensions/filters/http/rbac/v3/rbac.js';
import type { HttpFilter } from '../../../../src/gen/envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.js';
import type { RequestValidationIR } from '../../../../src/ir/index.js';
import { unpackAnyAs } from '../../../../src/xds/proto/any.js';
import {
  AUDIT_VALIDATION_FILTER_NAME,
  AUDIT_VALIDATION_STAT_PREFIX,
  auditValidationFilter,
} from '../../../../src/xds/translate/filters/audit-validation.js';
import { HTTP_FILTER_ORDER } from '../../../../src/xds/translate/filters/order.js';
import { buildEnvoyValidate } from '../../../tools/envoy-validate.js';
import { context, policySet, port, validateOutput } from './fixtures.js';
import type { EvalRequest } from './rbac-eval.js';
import { evaluateRbac, evaluateShadow } from './rbac-eval.js';

/** Request validation with no check but the default path-parameter one, overridden field by field. */
function rv(overrides: Partial<RequestValidationIR> = {}): RequestValidationIR {
  return { requiredHeaders: [], allowPathParameters: true, openapi: [], ...overrides };
}

/** Every Audit check aspen can observe. */
const EVERY_CHECK = rv({
  allowPathParameters: false,
  maxBodyBytes: 1024,
  allowedMethods: ['POST', 'GET'],
  allowedContentTypes: ['application/json'],
  requiredHeaders: ['x-tenant'],
});

/** The filters of a port whose Audit set validates requests with `audit` (Enforce: mesh defaults). */
function filters(audit: RequestValidationIR): HttpFilter[] {
  return auditValidationFilter.build(context(port({ audit: policySet({ requestValidation: audit }) })))
    .httpFilters;
}

/** The one filter's RBAC config. */
function config(filter: HttpFilter | undefined): RBAC {
  if (filter?.configType?.$case !== 'typedConfig') throw new Error('no typed config');
  return unpackAnyAs(filter.configType.value, RBAC);
}

/** A valid request for EVERY_CHECK, changed by `patch`. */
function request(patch: Partial<EvalRequest> = {}, headers: Record<string, string> = {}): EvalRequest {
  return {
    method: 'POST',
    path: '/orders',
    ...patch,
    headers: { 'x-tenant': 't1', 'content-type': 'application/json', 'content-length': '12', ...headers },
  };
}

/** What the Audit validation would have done with a request. */
function shadow(req: EvalRequest): { result: string; policy?: string } | undefined {
  return evaluateShadow(filters(EVERY_CHECK), req)[AUDIT_VALIDATION_FILTER_NAME];
}

describe('xds/translate/filters/audit-validation', () => {
  it('no filter without Audit policies, or when they check nothing', () => {
    expect(auditValidationFilter.build(context(port())).httpFilters).to.deep.equal([]);
    expect(filters(rv())).to.deep.equal([]);
  });

  it('never blocks: shadow rules only, with their own stat prefix, and no enforcing rules', () => {
    const rbac = config(filters(EVERY_CHECK)[0]);
    expect(rbac.rules).to.equal(undefined);
    expect(rbac.shadowRules?.action).to.equal(RBAC_Action.DENY);
    expect(rbac.shadowRulesStatPrefix).to.equal(AUDIT_VALIDATION_STAT_PREFIX);
    expect(Object.keys(rbac.shadowRules?.policies ?? {}).sort()).to.deep.equal([
      'body-too-large',
      'content-type-missing',
      'content-type-missing-chunked',
      'content-type-not-allowed',
      'method-not-allowed',
      'path-parameters',
      'required-header|x-tenant',
    ]);
  });

  it('a valid request is allowed by the shadow rules', () => {
    expect(shadow(request())).to.deep.equal({ result: 'allowed' });
    expect(
      shadow(request({ method: 'GET' }, { 'content-type': 'Application/JSON; charset=utf-8' })),
    ).to.deep.equal({
      result: 'allowed',
    });
  });

  it('records each would-deny under the name of the check', () => {
    const cases: [EvalRequest, string][] = [
      [request({ method: 'DELETE' }), 'method-not-allowed'],
      [request({ path: '/orders;jsessionid=1' }), 'path-parameters'],
      [request({}, { 'content-length': '1025' }), 'body-too-large'],
      [request({}, { 'content-type': 'text/plain' }), 'content-type-not-allowed'],
      [{ ...request(), headers: { 'x-tenant': 't1', 'content-length': '3' } }, 'content-type-missing'],
      [
        { ...request(), headers: { 'x-tenant': 't1', 'transfer-encoding': 'chunked' } },
        'content-type-missing-chunked',
      ],
      [{ ...request(), headers: { 'content-type': 'application/json' } }, 'required-header|x-tenant'],
    ];
    for (const [req, policy] of cases)
      expect(shadow(req), policy).to.deep.equal({ result: 'denied', policy });
  });

  it('a body at the limit, or without content-length, is not a would-deny (unmeasurable without buffering)', () => {
    expect(shadow(request({}, { 'content-length': '1024' }))).to.deep.equal({ result: 'allowed' });
    const chunked = { ...request(), headers: { 'x-tenant': 't1', 'content-type': 'application/json' } };
    expect(shadow(chunked)).to.deep.equal({ result: 'allowed' });
  });

  it('every would-deny request still passes: the filter decides nothing', () => {
    const req = request(
      { method: 'DELETE', path: '/a;b' },
      { 'content-length': '99999', 'content-type': 'x/y' },
    );
    expect(evaluateRbac(filters(EVERY_CHECK), req)).to.deep.equal({ allowed: true });
  });

  it('runs right after sanitize, before every enforcing filter, so it sees every request', () => {
    const ids = HTTP_FILTER_ORDER.map((m) => m.id);
    expect(ids.indexOf('audit-validation')).to.equal(ids.indexOf('sanitize') + 1);
    for (const later of ['path-params', 'jwt', 'api-keys', 'rbac', 'local-ratelimit', 'body-limit'])
      expect(ids.indexOf('audit-validation'), later).to.be.lessThan(ids.indexOf(later));
  });

  describe("Envoy's validators", function () {
    before(async function () {
      this.timeout(300000);
      await buildEnvoyValidate();
    });

    it('accept the shadow-only RBAC config', async () => {
      const out = auditValidationFilter.build(
        context(port({ audit: policySet({ requestValidation: EVERY_CHECK }) })),
      );
      const results = await validateOutput(out);
      expect(results.map((r) => r.errors ?? [])).to.deep.equal([[]]);
      expect(results.flatMap((r) => r.warnings ?? [])).to.deep.equal([]);
    });
  });
});
