import { expect } from 'chai';
import { RBAC_Action } from '../../../../src/gen/envoy/config/rbac/v3/rbac.js';
import type { Permission, Principal } from '../../../../src/gen/envoy/config/rbac/v3/rbac.js';
import type { MetadataMatcher } from '../../../../src/gen/envoy/type/matcher/v3/metadata.js';
import { RBAC } from '../../../../src/gen/envoy/extensions/filters/http/rbac/v3/rbac.js';
import type { HttpFilter } from '../../../../src/gen/envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.js';
import { API_KEY_CLIENT_HEADER } from '../../../../src/api/contracts.js';
import type { PortIR } from '../../../../src/ir/index.js';
import { unpackAnyAs } from '../../../../src/xds/proto/any.js';
import {
  AUDIT_PAYLOAD_KEY,
  ENFORCE_PAYLOAD_KEY,
} from '../../../../src/xds/translate/filters/jwt-providers.js';
import { rbacFilters } from '../../../../src/xds/translate/filters/rbac.js';
import { JWT_METADATA_NAMESPACE } from '../../../../src/xds/translate/filters/rbac-matchers.js';
import { StringMatcher } from '../../../../src/gen/envoy/type/matcher/v3/string.js';
import { buildEnvoyValidate } from '../../../tools/envoy-validate.js';
import { context, jwtProvider, policySet, port, rule, validateOutput } from './fixtures.js';

/** The RBAC config of one filter. */
function config(filter: HttpFilter | undefined): RBAC {
  if (filter?.configType?.$case !== 'typedConfig') throw new Error('no typed config');
  return unpackAnyAs(filter.configType.value, RBAC);
}

/** The RBAC filters of a port. */
function filters(p: PortIR): HttpFilter[] {
  return rbacFilters.build(context(p)).httpFilters;
}

/** A port with these Enforce rules and default action. */
function enforcing(rules: ReturnType<typeof rule>[], defaultAction: 'Allow' | 'Deny' = 'Deny'): PortIR {
  return port({ enforce: policySet({ authorization: { defaultAction, rules } }) });
}

/** The principal of the one policy of the first filter. */
function principalOf(p: PortIR, name: string): Principal | undefined {
  return config(filters(p)[0]).rules?.policies[name]?.principals[0];
}

/** The principal identifiers joined by an AND (or the single one). */
function andParts(pr: Principal | undefined): Principal[] {
  return pr?.identifier?.$case === 'andIds' ? pr.identifier.value.ids : pr === undefined ? [] : [pr];
}

/** The member lists of an AND of two ORs of permissions. */
function orLists(perm: Permission | undefined): Permission[][] {
  if (perm?.rule?.$case !== 'andRules') throw new Error('expected AND');
  return perm.rule.value.rules.map((r) => {
    if (r.rule?.$case !== 'orRules') throw new Error('expected OR');
    return r.rule.value.rules;
  });
}

/** The header match specifier of an exact `string_match`, as generated. */
function exact(value: string): { $case: 'stringMatch'; value: StringMatcher } {
  return {
    $case: 'stringMatch',
    value: StringMatcher.fromPartial({ matchPattern: { $case: 'exact', value } }),
  };
}

/** The metadata matchers of an OR of principals. */
function metadataMatchers(pr: Principal | undefined): (MetadataMatcher | undefined)[] {
  if (pr?.identifier?.$case !== 'orIds') throw new Error('expected OR of string and list matches');
  return pr.identifier.value.ids.map((x) =>
    x.identifier?.$case === 'sourcedMetadata' ? x.identifier.value.metadataMatcher : undefined,
  );
}

describe('xds/translate/filters/rbac', () => {
  it('default deny with no rules denies everything: an ALLOW filter with no policies', () => {
    const f = filters(enforcing([]));
    expect(f.map((x) => x.name)).to.deep.equal(['aspen.rbac.allow']);
    const rbac = config(f[0]);
    expect(rbac.rules?.action).to.equal(RBAC_Action.ALLOW);
    expect(rbac.rules?.policies).to.deep.equal({});
  });

  it('Deny wins: the DENY filter precedes ALLOW', () => {
    const f = filters(enforcing([rule('ok'), rule('no', { action: 'Deny' })]));
    expect(f.map((x) => x.name)).to.deep.equal(['aspen.rbac.deny', 'aspen.rbac.allow']);
    expect(config(f[0]).rules?.action).to.equal(RBAC_Action.DENY);
    expect(Object.keys(config(f[0]).rules?.policies ?? {})).to.deep.equal(['shop/p/no']);
    expect(Object.keys(config(f[1]).rules?.policies ?? {})).to.deep.equal(['shop/p/ok']);
  });

  it('default allow: only the DENY filter; none at all without Deny rules (an Audit-only port enforces nothing)', () => {
    expect(
      filters(enforcing([rule('ok'), rule('no', { action: 'Deny' })], 'Allow')).map((x) => x.name),
    ).to.deep.equal(['aspen.rbac.deny']);
    expect(filters(enforcing([rule('ok')], 'Allow'))).to.deep.equal([]);
  });

  it('a port that failed closed denies everything, first', () => {
    const p = { ...enforcing([], 'Allow'), failClosed: [{ policy: 'shop/bad', reason: 'Invalid' }] };
    const f = filters(p);
    expect(f.map((x) => x.name)).to.deep.equal(['aspen.rbac.fail_closed']);
    expect(config(f[0]).rules?.policies).to.deep.equal({});
  });

  it('a rule matches methods AND paths: OR of `:method` headers, OR of url_path exact/prefix', () => {
    const p = enforcing([
      rule('r', { to: { methods: ['GET', 'HEAD'], paths: [{ exact: '/a' }, { prefix: '/b/' }] } }),
    ]);
    const [methods = [], paths = []] = orLists(
      config(filters(p)[0]).rules?.policies['shop/p/r']?.permissions[0],
    );
    expect(methods.map((r) => r.rule)).to.deep.equal(
      ['GET', 'HEAD'].map((m) => ({
        $case: 'header',
        value: {
          $type: 'envoy.config.route.v3.HeaderMatcher',
          name: ':method',
          headerMatchSpecifier: exact(m),
          invertMatch: false,
          treatMissingHeaderAsEmpty: false,
        },
      })),
    );
    const pathRules = paths.map((r) =>
      r.rule?.$case === 'urlPath' ? r.rule.value.rule?.value.matchPattern : undefined,
    );
    expect(pathRules).to.deep.equal([
      { $case: 'exact', value: '/a' },
      { $case: 'prefix', value: '/b/' },
    ]);
  });

  it('a rule with no conditions matches every request from every peer', () => {
    const policy = config(filters(enforcing([rule('all')]))[0]).rules?.policies['shop/p/all'];
    expect(policy?.permissions[0]?.rule).to.deep.equal({ $case: 'any', value: true });
    expect(policy?.principals[0]?.identifier).to.deep.equal({ $case: 'any', value: true });
  });

  it('from: SPIFFE principals (authenticated), ip blocks (direct remote ip), API-key clients (header), ANDed', () => {
    const r = rule('r', {
      from: {
        principals: [{ prefix: 'spiffe://cluster.local/ns/shop/sa/' }],
        ipBlocks: ['10.0.0.0/8'],
        apiKeyClients: ['web'],
      },
    });
    const parts = andParts(principalOf(enforcing([r]), 'shop/p/r')).map((x) => x.identifier);
    expect(parts.map((x) => x?.$case)).to.deep.equal(['authenticated', 'directRemoteIp', 'header']);
    const [spiffe, ip, key] = parts;
    expect(spiffe?.$case === 'authenticated' && spiffe.value.principalName?.matchPattern).to.deep.equal({
      $case: 'prefix',
      value: 'spiffe://cluster.local/ns/shop/sa/',
    });
    expect(ip?.$case === 'directRemoteIp' && [ip.value.addressPrefix, ip.value.prefixLen]).to.deep.equal([
      '10.0.0.0',
      8,
    ]);
    expect(key?.$case === 'header' && [key.value.name, key.value.headerMatchSpecifier]).to.deep.equal([
      API_KEY_CLIENT_HEADER,
      exact('web'),
    ]);
  });

  it('an empty principal list (disjoint principals and namespaces) matches no peer: not_id any', () => {
    const pr = principalOf(enforcing([rule('r', { from: { principals: [] } })]), 'shop/p/r');
    expect(pr?.identifier?.$case).to.equal('notId');
    expect(pr?.identifier?.$case === 'notId' && pr.identifier.value.identifier).to.deep.equal({
      $case: 'any',
      value: true,
    });
  });

  it('a JWT claim holds when it equals a value or a list claim contains one: jwt_authn metadata, nested path', () => {
    const pr = principalOf(
      enforcing([rule('r', { from: { jwtClaims: [{ name: 'realm.roles', values: ['admin', 'ops'] }] } })]),
      'shop/p/r',
    );
    const [asString, asList] = metadataMatchers(pr);
    expect(asString?.filter).to.equal(JWT_METADATA_NAMESPACE);
    expect(asString?.path.map((s) => s.segment?.value)).to.deep.equal([
      ENFORCE_PAYLOAD_KEY,
      'realm',
      'roles',
    ]);
    expect(asString?.value?.matchPattern?.$case).to.equal('orMatch');
    expect(asList?.value?.matchPattern?.$case).to.equal('listMatch');
  });

  describe('Audit mode', () => {
    const audit = policySet({
      jwt: { required: true, providers: [jwtProvider('x')] },
      authorization: {
        defaultAction: 'Deny',
        rules: [
          rule('a'),
          rule('d', { action: 'Deny', from: { jwtClaims: [{ name: 'sub', values: ['bob'] }] } }),
        ],
      },
    });

    it('Audit never blocks: shadow rules only, with their own stat prefixes', () => {
      const f = filters(
        port({ enforce: policySet({ authorization: { defaultAction: 'Allow', rules: [] } }), audit }),
      );
      expect(f.map((x) => x.name)).to.deep.equal(['aspen.rbac.audit_deny', 'aspen.rbac.audit_allow']);
      for (const x of f) {
        const rbac = config(x);
        expect(rbac.rules).to.equal(undefined);
        expect(rbac.shadowRules).not.to.equal(undefined);
        expect(rbac.shadowRulesStatPrefix).to.match(/^aspen_audit_(deny|allow)_$/);
      }
      expect(config(f[0]).shadowRules?.action).to.equal(RBAC_Action.DENY);
      expect(config(f[1]).shadowRules?.action).to.equal(RBAC_Action.ALLOW);
    });

    it('Audit filters come before the enforcing ones, so requests Enforce denies are still audited', () => {
      const f = filters(port({ audit }));
      expect(f.map((x) => x.name)).to.deep.equal([
        'aspen.rbac.audit_deny',
        'aspen.rbac.audit_allow',
        'aspen.rbac.allow',
      ]);
    });

    it('Audit claim rules read the Audit jwt_authn payload', () => {
      const f = filters(port({ audit }));
      const [first] = metadataMatchers(config(f[0]).shadowRules?.policies['shop/p/d']?.principals[0]);
      expect(first?.path[0]?.segment?.value).to.equal(AUDIT_PAYLOAD_KEY);
    });
  });

  describe("Envoy's validators", function () {
    before(async function () {
      this.timeout(300000);
      await buildEnvoyValidate();
    });

    it('accept every RBAC config: fail closed, deny, allow, shadow, every matcher kind', async () => {
      const rules = [
        rule('a', {
          from: {
            principals: [
              { exact: 'spiffe://cluster.local/ns/shop/sa/web' },
              { prefix: 'spiffe://cluster.local/ns/ops/sa/' },
            ],
            ipBlocks: ['10.0.0.0/8', '2001:db8::/32', '192.168.1.1'],
            jwtClaims: [
              { name: 'sub', values: ['bob'] },
              { name: 'realm.roles', values: ['admin', 'ops'] },
            ],
            apiKeyClients: ['web', 'batch'],
          },
          to: { methods: ['GET'], paths: [{ exact: '/a' }, { prefix: '/b/' }] },
        }),
        rule('d', { action: 'Deny', from: { principals: [] }, to: { paths: [] } }),
      ];
      const set = policySet({ authorization: { defaultAction: 'Deny', rules } });
      const p = port({ enforce: set, audit: set, failClosed: [{ policy: 'shop/bad', reason: 'Invalid' }] });
      const out = rbacFilters.build(context(p));
      expect(out.httpFilters).to.have.length(5);
      const results = await validateOutput(out);
      expect(results.map((r) => r.errors ?? [])).to.deep.equal([[], [], [], [], []]);
    });
  });
});
