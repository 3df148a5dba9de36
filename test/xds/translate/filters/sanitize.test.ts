import { expect } from 'chai';
import type { HeaderMutation as HeaderMutationRule } from '../../../../src/gen/envoy/config/common/mutation_rules/v3/mutation_rules.js';
import { HeaderMutation } from '../../../../src/gen/envoy/extensions/filters/http/header_mutation/v3/header_mutation.js';
import type { HttpFilter } from '../../../../src/gen/envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.js';
import { API_KEY_CLIENT_HEADER, AUDIT_API_KEY_CHECK } from '../../../../src/api/contracts.js';
import { unpackAnyAs } from '../../../../src/xds/proto/any.js';
import { HTTP_FILTER_ORDER } from '../../../../src/xds/translate/filters/order.js';
import { sanitizeFilter } from '../../../../src/xds/translate/filters/sanitize.js';
import { buildEnvoyValidate } from '../../../tools/envoy-validate.js';
import { context, jwtProvider, policySet, port, validateOutput } from './fixtures.js';

/** The header_mutation config of the one filter. */
function config(filter: HttpFilter | undefined): HeaderMutation {
  if (filter?.configType?.$case !== 'typedConfig') throw new Error('no typed config');
  return unpackAnyAs(filter.configType.value, HeaderMutation);
}

/** A mutation's header name (exact removal) or prefix (removal on match). */
function target(m: HeaderMutationRule): { name?: string; prefix?: string } {
  if (m.action?.$case === 'remove') return { name: m.action.value };
  const pattern = m.action?.$case === 'removeOnMatch' ? m.action.value.keyMatcher?.matchPattern : undefined;
  return pattern?.$case === 'prefix' ? { prefix: pattern.value } : {};
}

/** Names removed exactly, and prefixes removed, by the sanitize filter of a port. */
function removed(p = port()): { names: string[]; prefixes: string[] } {
  const mutations = config(sanitizeFilter.build(context(p)).httpFilters[0]).mutations?.requestMutations ?? [];
  const targets = mutations.map(target);
  return {
    names: targets.flatMap((t) => (t.name === undefined ? [] : [t.name])),
    prefixes: targets.flatMap((t) => (t.prefix === undefined ? [] : [t.prefix])),
  };
}

describe('xds/translate/filters/sanitize', () => {
  it('is present on every port, even one with the mesh defaults only', () => {
    const out = sanitizeFilter.build(context(port()));
    expect(out.httpFilters).to.have.length(1);
    expect(out.clusters).to.deep.equal([]);
  });

  it('runs before anything else: first in the filter order', () => {
    expect(HTTP_FILTER_ORDER[0]).to.equal(sanitizeFilter);
  });

  it('client-sent x-aspen-api-key-client is removed before ext_authz', () => {
    const { names, prefixes } = removed();
    expect(names).to.include(API_KEY_CLIENT_HEADER);
    expect(prefixes).to.deep.equal(['x-aspen-', 'x-envoy-']);
    const ids = HTTP_FILTER_ORDER.map((m) => m.id);
    expect(ids.indexOf('sanitize')).to.be.lessThan(ids.indexOf('api-keys'));
  });

  it('client-sent Audit API-key headers are removed (x-aspen-* prefix) before the audit check and every audit reader', () => {
    const { prefixes } = removed();
    for (const header of [AUDIT_API_KEY_CHECK.clientHeader, AUDIT_API_KEY_CHECK.deniedHeader])
      expect(
        prefixes.some((prefix) => header.startsWith(prefix)),
        header,
      ).to.equal(true);
    const ids = HTTP_FILTER_ORDER.map((m) => m.id);
    for (const reader of ['audit-validation', 'api-keys', 'rbac', 'local-ratelimit', 'global-ratelimit'])
      expect(ids.indexOf('sanitize'), reader).to.be.lessThan(ids.indexOf(reader));
  });

  it('client-sent x-envoy-* headers (retry, timeout, original path) are removed: pod-network peers count as internal to Envoy', () => {
    expect(removed().prefixes).to.include('x-envoy-');
  });

  it('client-sent claim headers of Enforce and Audit providers are removed before jwt_authn writes them', () => {
    const enforce = policySet({
      jwt: {
        required: true,
        providers: [jwtProvider('a', { forwardClaims: [{ claim: 'sub', header: 'X-Sub' }] })],
      },
    });
    const audit = policySet({
      jwt: {
        required: true,
        providers: [jwtProvider('b', { forwardClaims: [{ claim: 'email', header: 'x-email' }] })],
      },
    });
    const { names } = removed(port({ enforce, audit }));
    expect(names).to.include.members(['x-sub', 'x-email']);
  });

  it('forged forwarded-identity headers are removed', () => {
    expect(removed().names).to.include.members([
      'x-forwarded-user',
      'x-forwarded-email',
      'x-user',
      'x-remote-user',
    ]);
  });

  it('lists removed headers once each, sorted', () => {
    const { names } = removed();
    expect(names).to.deep.equal([...new Set(names)].sort());
  });

  describe("Envoy's validators", function () {
    before(async function () {
      this.timeout(300000);
      await buildEnvoyValidate();
    });

    it('accept the header_mutation config', async () => {
      const enforce = policySet({
        jwt: {
          required: true,
          providers: [jwtProvider('a', { forwardClaims: [{ claim: 'sub', header: 'x-sub' }] })],
        },
      });
      const results = await validateOutput(sanitizeFilter.build(context(port({ enforce }))));
      expect(results.map((r) => r.errors ?? [])).to.deep.equal([[]]);
      expect(results.every((r) => r.ok)).to.equal(true);
    });
  });
});
