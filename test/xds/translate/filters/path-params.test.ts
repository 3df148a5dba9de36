import { expect } from 'chai';
import { RBAC_Action } from '../../../../src/gen/envoy/config/rbac/v3/rbac.js';
import { RBAC } from '../../../../src/gen/envoy/extensions/filters/http/rbac/v3/rbac.js';
import type { HttpFilter } from '../../../../src/gen/envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.js';
import { unpackAnyAs } from '../../../../src/xds/proto/any.js';
import { HTTP_FILTER_ORDER } from '../../../../src/xds/translate/filters/order.js';
import { PATH_PARAMETER_REGEX, pathParamsFilter } from '../../../../src/xds/translate/filters/path-params.js';
import { buildEnvoyValidate } from '../../../tools/envoy-validate.js';
import { context, policySet, port, validateOutput } from './fixtures.js';

/** The RBAC config of one filter. */
function config(filter: HttpFilter | undefined): RBAC {
  if (filter?.configType?.$case !== 'typedConfig') throw new Error('no typed config');
  return unpackAnyAs(filter.configType.value, RBAC);
}

/** A policy set with path parameters allowed or not. */
function withParams(allowPathParameters: boolean): ReturnType<typeof policySet> {
  return policySet({ requestValidation: { requiredHeaders: [], allowPathParameters, openapi: [] } });
}

/** Whether the module's regex (RE2 full match, approximated with an anchored JS regex) matches a path. */
function matches(path: string): boolean {
  return new RegExp(`^(?:${PATH_PARAMETER_REGEX})$`).test(path);
}

describe('xds/translate/filters/path-params', () => {
  it('a path parameter is refused (403) unless allowed: a DENY rule on the path without query', () => {
    const rbac = config(pathParamsFilter.build(context(port({ enforce: withParams(false) }))).httpFilters[0]);
    expect(rbac.rules?.action).to.equal(RBAC_Action.DENY);
    const policy = Object.values(rbac.rules?.policies ?? {})[0];
    const rule = policy?.permissions[0]?.rule;
    expect(rule?.$case).to.equal('urlPath');
  });

  it('matches `;` and percent-encoded %3B/%3b anywhere in the path, nothing else', () => {
    for (const path of ['/admin;x', '/a;/b', '/admin%3Bx', '/admin%3bx', ';'])
      expect(matches(path), path).to.equal(true);
    for (const path of ['/admin', '/admin%3A', '/a/b', '/3b']) expect(matches(path), path).to.equal(false);
  });

  it('no filter when every policy allows path parameters', () => {
    expect(pathParamsFilter.build(context(port({ enforce: withParams(true) }))).httpFilters).to.deep.equal(
      [],
    );
  });

  it('an Audit policy forbidding them adds no enforcing filter (audit-validation counts them)', () => {
    const p = port({ enforce: withParams(true), audit: withParams(false) });
    expect(pathParamsFilter.build(context(p)).httpFilters).to.deep.equal([]);
  });

  it('runs before anything matches on paths: before jwt, api-keys and rbac', () => {
    const ids = HTTP_FILTER_ORDER.map((m) => m.id);
    for (const later of ['jwt', 'api-keys', 'rbac'])
      expect(ids.indexOf('path-params')).to.be.lessThan(ids.indexOf(later));
  });

  describe("Envoy's validators", function () {
    before(async function () {
      this.timeout(300000);
      await buildEnvoyValidate();
    });

    it('accept the RBAC config', async () => {
      const enforcing = pathParamsFilter.build(context(port({ enforce: withParams(false) })));
      const results = await validateOutput(enforcing);
      expect(results.map((r) => r.errors ?? [])).to.deep.equal([[]]);
    });
  });
});
