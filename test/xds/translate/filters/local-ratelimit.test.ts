import { expect } from 'chai';
import type { RateLimit_Action } from '../../../../src/gen/envoy/config/route/v3/route_components.js';
import { XRateLimitHeadersRFCVersion } from '../../../../src/gen/envoy/extensions/common/ratelimit/v3/ratelimit.js';
import { LocalRateLimit } from '../../../../src/gen/envoy/extensions/filters/http/local_ratelimit/v3/local_rate_limit.js';
import { API_KEY_CLIENT_HEADER } from '../../../../src/api/contracts.js';
import type { RateLimitIR } from '../../../../src/ir/index.js';
import {
  AUDIT_RATE_LIMITED_HEADER,
  localRateLimitFilter,
} from '../../../../src/xds/translate/filters/local-ratelimit.js';
import { ASPEN_HEADER_PREFIX } from '../../../../src/xds/translate/filters/sanitize.js';
import { HTTP_FILTER_ORDER } from '../../../../src/xds/translate/filters/order.js';
import { buildEnvoyValidate } from '../../../tools/envoy-validate.js';
import { validateOutput } from './fixtures.js';
import {
  filterConfig,
  limit,
  limitsContext,
  policySet,
  port,
  context,
  re2Matches,
} from './traffic-fixtures.js';

/** The local_ratelimit configs for a port with these Enforce (and Audit) limits. */
function configs(enforce: RateLimitIR[], audit?: RateLimitIR[]): LocalRateLimit[] {
  return localRateLimitFilter
    .build(limitsContext(enforce, audit))
    .httpFilters.map((f) => filterConfig(f, LocalRateLimit));
}

/** The one config for a port with one Enforce limit. */
function single(l: RateLimitIR): LocalRateLimit {
  const [config] = configs([l]);
  if (config === undefined) throw new Error('no filter');
  return config;
}

/** The actions of the one descriptor a config computes. */
function actions(config: LocalRateLimit): RateLimit_Action[] {
  return config.rateLimits[0]?.actions ?? [];
}

/** The descriptor entry keys/values of a config's buckets. */
function bucketEntries(config: LocalRateLimit): { key: string; value: string }[][] {
  return config.descriptors.map((d) => d.entries.map(({ key, value }) => ({ key, value })));
}

describe('xds/translate/filters/local-ratelimit', () => {
  it('adds no filter when the port has no Local limits (Global ones are the other module’s)', () => {
    const output = localRateLimitFilter.build(limitsContext([limit('g', { scope: 'Global' })]));
    expect(output).to.deep.equal({ httpFilters: [], clusters: [] });
  });

  it('a limit of 100/1m with burst 20 is a bucket of 120 refilled 100 per 60s', () => {
    const config = single(limit('l'));
    for (const descriptor of config.descriptors) {
      expect(descriptor.tokenBucket?.maxTokens).to.equal(120);
      expect(descriptor.tokenBucket?.tokensPerFill).to.equal(100);
      expect(descriptor.tokenBucket?.fillInterval).to.include({ seconds: 60, nanos: 0 });
    }
  });

  it('requests the limit does not select pass untouched: no default bucket', () => {
    const config = single(limit('l', { match: { methods: ['POST'] } }));
    expect(config.tokenBucket).to.equal(undefined);
    expect(config.alwaysConsumeDefaultTokenBucket).to.equal(false);
  });

  it('each limit is its own filter, enforced ones before audit ones, so a request must pass each', () => {
    const output = localRateLimitFilter.build(limitsContext([limit('a'), limit('b')], [limit('c')]));
    expect(output.httpFilters.map((f) => f.name)).to.deep.equal([
      'envoy.filters.http.local_ratelimit/enforce/shop/p/a',
      'envoy.filters.http.local_ratelimit/enforce/shop/p/b',
      'envoy.filters.http.local_ratelimit/audit/shop/p/c',
    ]);
  });

  it('an enforced limit answers 429 with x-ratelimit-* (draft 03) and retry-after', () => {
    const config = single(limit('l'));
    expect(config.filterEnabled?.defaultValue?.numerator).to.equal(100);
    expect(config.filterEnforced?.defaultValue?.numerator).to.equal(100);
    expect(config.enableXRatelimitHeaders).to.equal(XRateLimitHeadersRFCVersion.DRAFT_VERSION_03);
    expect(config.enableRetryAfterHeader).to.equal(true);
    expect(config.status).to.equal(undefined); // Envoy's default: 429
  });

  it('an Audit-mode limit never blocks: filter_enforced 0', () => {
    const [audit] = configs([], [limit('l')]);
    expect(audit?.filterEnabled?.defaultValue?.numerator).to.equal(100);
    expect(audit?.filterEnforced?.defaultValue?.numerator).to.equal(0);
    expect(audit?.enableXRatelimitHeaders).to.equal(XRateLimitHeadersRFCVersion.OFF);
    expect(audit?.enableRetryAfterHeader).to.equal(false);
  });

  it('a request an Audit-mode limit would refuse is marked for the access log, with the limit id', () => {
    const [enforce, audit] = configs([limit('e')], [limit('a')]);
    expect(enforce?.requestHeadersToAddWhenNotEnforced).to.deep.equal([]);
    expect(audit?.requestHeadersToAddWhenNotEnforced.map((h) => h.header)).to.deep.include({
      $type: 'envoy.config.core.v3.HeaderValue',
      key: AUDIT_RATE_LIMITED_HEADER,
      value: 'shop/p/a',
      rawValue: new Uint8Array(),
    });
    expect(AUDIT_RATE_LIMITED_HEADER.startsWith(ASPEN_HEADER_PREFIX)).to.equal(true); // clients cannot forge it
  });

  it('Audit-mode and enforced counters are told apart by their stat prefix', () => {
    const [enforce, audit] = configs([limit('l')], [limit('l')]);
    expect(enforce?.statPrefix).to.equal('aspen_enforce_shop_p_l');
    expect(audit?.statPrefix).to.equal('aspen_audit_shop_p_l');
  });

  it('a limit without key is one bucket for every request it selects', () => {
    const config = single(limit('l'));
    expect(bucketEntries(config)).to.deep.equal([[{ key: 'rule', value: 'shop/p/l' }]]);
    expect(actions(config).map((a) => a.actionSpecifier?.$case)).to.deep.equal(['genericKey']);
    expect(config.maxDynamicDescriptors).to.equal(undefined);
  });

  it('only requests matching method and path count: the rule entry needs both', () => {
    const config = single(
      limit('l', {
        match: { methods: ['GET', 'POST'], paths: [{ exact: '/orders' }, { prefix: '/orders/' }] },
      }),
    );
    const action = actions(config)[0]?.actionSpecifier;
    if (action?.$case !== 'headerValueMatch') throw new Error(`unexpected ${String(action?.$case)}`);
    expect(action.value).to.include({
      descriptorKey: 'rule',
      descriptorValue: 'shop/p/l',
      expectMatch: true,
    });
    const regex = (name: string): string => {
      const spec = action.value.headers.find((h) => h.name === name)?.headerMatchSpecifier;
      if (spec?.$case !== 'stringMatch' || spec.value.matchPattern?.$case !== 'safeRegex')
        throw new Error(name);
      return spec.value.matchPattern.value.regex;
    };
    const method = regex(':method');
    expect(['GET', 'POST'].map((m) => re2Matches(method, m))).to.deep.equal([true, true]);
    expect(['PUT', 'GETX', 'XGET'].some((m) => re2Matches(method, m))).to.equal(false);
    const path = regex(':path');
    for (const p of ['/orders', '/orders?page=2', '/orders/1', '/orders/1/items?x=/y']) {
      expect(re2Matches(path, p), p).to.equal(true);
    }
    for (const p of ['/ordersx', '/order', '/other/orders', '/x?/orders']) {
      expect(re2Matches(path, p), p).to.equal(false);
    }
  });

  it('one method is an exact match', () => {
    const action = actions(single(limit('l', { match: { methods: ['DELETE'] } })))[0]?.actionSpecifier;
    if (action?.$case !== 'headerValueMatch') throw new Error('no header match');
    const spec = action.value.headers[0]?.headerMatchSpecifier;
    expect(spec?.$case === 'stringMatch' && spec.value.matchPattern).to.deep.equal({
      $case: 'exact',
      value: 'DELETE',
    });
  });

  it('path literals are regex-escaped', () => {
    const action = actions(single(limit('l', { match: { paths: [{ exact: '/a.b+c' }] } })))[0]
      ?.actionSpecifier;
    if (action?.$case !== 'headerValueMatch') throw new Error('no header match');
    const spec = action.value.headers[0]?.headerMatchSpecifier;
    if (spec?.$case !== 'stringMatch' || spec.value.matchPattern?.$case !== 'safeRegex')
      throw new Error('no regex');
    expect(re2Matches(spec.value.matchPattern.value.regex, '/a.b+c')).to.equal(true);
    expect(re2Matches(spec.value.matchPattern.value.regex, '/aXbbc')).to.equal(false);
  });

  it('a JWT-claim key is one bucket per claim value, read from jwt_authn metadata; no claim shares one bucket', () => {
    const config = single(limit('l', { key: { jwtClaim: 'org.id' } }));
    expect(bucketEntries(config)).to.deep.equal([
      [
        { key: 'rule', value: 'shop/p/l' },
        { key: 'key', value: '' },
      ],
      [{ key: 'rule', value: 'shop/p/l' }],
    ]);
    expect(config.maxDynamicDescriptors).to.be.greaterThan(1000);
    const action = actions(config)[1]?.actionSpecifier;
    if (action?.$case !== 'metadata') throw new Error('no metadata action');
    expect(action.value.descriptorKey).to.equal('key');
    expect(action.value.skipIfAbsent).to.equal(true);
    expect(action.value.metadataKey?.key).to.equal('envoy.filters.http.jwt_authn');
    expect(action.value.metadataKey?.path.map((s) => s.segment?.value)).to.deep.equal([
      'jwt_payload',
      'org',
      'id',
    ]);
  });

  it('an Audit-mode JWT-claim key reads the Audit JWT filter’s payload when the Audit set has JWT settings', () => {
    const ctx = context(
      port({
        audit: policySet({
          jwt: { required: false, providers: [] },
          rateLimits: [limit('l', { key: { jwtClaim: 'sub' } })],
        }),
      }),
    );
    const config = filterConfig(localRateLimitFilter.build(ctx).httpFilters[0], LocalRateLimit);
    const action = config.rateLimits[0]?.actions[1]?.actionSpecifier;
    if (action?.$case !== 'metadata') throw new Error('no metadata action');
    expect(action.value.metadataKey?.path[0]?.segment?.value).to.equal('jwt_payload_audit');
  });

  it('a header key counts per header value; requests without the header share one bucket', () => {
    const action = actions(single(limit('l', { key: { header: 'x-tenant' } })))[1]?.actionSpecifier;
    expect(action).to.deep.include({ $case: 'requestHeaders' });
    expect(action?.value).to.include({ headerName: 'x-tenant', descriptorKey: 'key', skipIfAbsent: true });
  });

  it('an API-key client key reads the header only the API-key check sets', () => {
    const action = actions(single(limit('l', { key: { apiKeyClient: true } })))[1]?.actionSpecifier;
    expect(action?.value).to.include({ headerName: API_KEY_CLIENT_HEADER, descriptorKey: 'key' });
  });

  it('a remote-address key counts per peer IP (entry named remote_address by Envoy)', () => {
    const config = single(limit('l', { key: { remoteAddress: true } }));
    expect(actions(config)[1]?.actionSpecifier?.$case).to.equal('remoteAddress');
    expect(bucketEntries(config)[0]).to.deep.equal([
      { key: 'rule', value: 'shop/p/l' },
      { key: 'remote_address', value: '' },
    ]);
  });

  it('an interval under Envoy’s 50 ms minimum keeps its rate: 1 per 10ms is 5 per 50ms', () => {
    const bucket = single(limit('l', { requests: 1, burst: 0, intervalMs: 10 })).descriptors[0]?.tokenBucket;
    expect(bucket?.fillInterval).to.include({ seconds: 0, nanos: 50_000_000 });
    expect(bucket?.tokensPerFill).to.equal(5);
    expect(bucket?.maxTokens).to.equal(5);
  });

  it('sits after RBAC and before the global limits in the filter order', () => {
    const ids = HTTP_FILTER_ORDER.map((m) => m.id);
    expect(ids.indexOf('rbac')).to.be.lessThan(ids.indexOf('local-ratelimit'));
    expect(ids.indexOf('local-ratelimit')).to.be.lessThan(ids.indexOf('global-ratelimit'));
  });

  describe("Envoy's validators", function () {
    before(async function () {
      this.timeout(300000);
      await buildEnvoyValidate();
    });

    it('accept every key kind, match conditions, and the Audit variant', async () => {
      const enforce = [
        limit('a'),
        limit('b', {
          key: { jwtClaim: 'sub' },
          match: { methods: ['GET', 'PUT'], paths: [{ prefix: '/api/' }] },
        }),
        limit('c', { key: { header: 'x-tenant' }, match: { methods: ['POST'] } }),
        limit('d', { key: { remoteAddress: true }, intervalMs: 10 }),
        limit('e', { key: { apiKeyClient: true }, match: { paths: [{ exact: '/login' }] } }),
      ];
      const results = await validateOutput(localRateLimitFilter.build(limitsContext(enforce, [limit('f')])));
      expect(results.map((r) => r.errors ?? [])).to.deep.equal([[], [], [], [], [], []]);
      expect(results.every((r) => r.ok)).to.equal(true);
    });
  });
});
