import { expect } from 'chai';
import { ApiVersion } from '../../../../src/gen/envoy/config/core/v3/config_source.js';
import type { RateLimit as RouteRateLimit } from '../../../../src/gen/envoy/config/route/v3/route_components.js';
import {
  RateLimit,
  RateLimit_XRateLimitHeadersRFCVersion,
} from '../../../../src/gen/envoy/extensions/filters/http/ratelimit/v3/rate_limit.js';
import { RATE_LIMIT_DOMAIN } from '../../../../src/api/contracts.js';
import type { RateLimitIR } from '../../../../src/ir/index.js';
import { globalRateLimitFilter } from '../../../../src/xds/translate/filters/global-ratelimit.js';
import { HTTP_FILTER_ORDER } from '../../../../src/xds/translate/filters/order.js';
import { DATAPLANE_CLUSTER } from '../../../../src/xds/translate/names.js';
import { buildEnvoyValidate } from '../../../tools/envoy-validate.js';
import { validateOutput } from './fixtures.js';
import { filterConfig, limit, limitsContext } from './traffic-fixtures.js';

/** A Global limit `shop/p/<name>`. */
function global(name: string, overrides: Partial<RateLimitIR> = {}): RateLimitIR {
  return limit(name, { scope: 'Global', ...overrides });
}

/** The ratelimit configs for a port with these Enforce (and Audit) limits. */
function configs(enforce: RateLimitIR[], audit?: RateLimitIR[]): RateLimit[] {
  return globalRateLimitFilter
    .build(limitsContext(enforce, audit))
    .httpFilters.map((f) => filterConfig(f, RateLimit));
}

/** The one enforcing config for these Enforce limits. */
function enforcing(limits: RateLimitIR[]): RateLimit {
  const [config] = configs(limits);
  if (config === undefined) throw new Error('no filter');
  return config;
}

/** The descriptor entry keys (and fixed values) each action of a descriptor produces. */
function entries(rateLimit: RouteRateLimit | undefined): string[] {
  return (rateLimit?.actions ?? []).map((a) => {
    const spec = a.actionSpecifier;
    switch (spec?.$case) {
      case 'genericKey':
        return `${spec.value.descriptorKey}=${spec.value.descriptorValue}`;
      case 'headerValueMatch':
        return `${spec.value.descriptorKey}=${spec.value.descriptorValue} if match`;
      case 'requestHeaders':
        return `${spec.value.descriptorKey}=<${spec.value.headerName}>`;
      case 'metadata':
        return `${spec.value.descriptorKey}=<claim>`;
      case 'remoteAddress':
        return 'remote_address=<peer ip>';
      default:
        return String(spec?.$case);
    }
  });
}

describe('xds/translate/filters/global-ratelimit', () => {
  it('adds no filter and no cluster when the port has no Global limits', () => {
    expect(globalRateLimitFilter.build(limitsContext([limit('local')]))).to.deep.equal({
      httpFilters: [],
      clusters: [],
    });
  });

  it('a global limit fails closed when the service is down: failure_mode_deny', () => {
    const config = enforcing([global('l')]);
    expect(config.failureModeDeny).to.equal(true);
    expect(config.failureModeDenyPercent).to.equal(undefined);
    expect(config.timeout).to.include({ seconds: 0, nanos: 100_000_000 });
  });

  it('asks aspen’s rate-limit service over the dataplane cluster (v3), and brings that cluster', () => {
    const output = globalRateLimitFilter.build(limitsContext([global('l')]));
    const config = filterConfig(output.httpFilters[0], RateLimit);
    expect(config.domain).to.equal(RATE_LIMIT_DOMAIN);
    expect(config.rateLimitService?.transportApiVersion).to.equal(ApiVersion.V3);
    expect(config.rateLimitService?.grpcService?.targetSpecifier).to.deep.include({ $case: 'envoyGrpc' });
    expect(config.rateLimitService?.grpcService?.targetSpecifier?.value).to.include({
      clusterName: DATAPLANE_CLUSTER,
    });
    expect(output.clusters.map((c) => c.name)).to.deep.equal([DATAPLANE_CLUSTER]);
  });

  it('one descriptor per limit: (policy, rule, key), policy being the limit id before its last /', () => {
    const config = enforcing([
      global('a'),
      global('b', { key: { header: 'x-tenant' }, match: { methods: ['POST'] } }),
      global('c', { key: { remoteAddress: true } }),
      global('d', { key: { jwtClaim: 'sub' } }),
    ]);
    expect(config.rateLimits.map(entries)).to.deep.equal([
      ['policy=shop/p', 'rule=shop/p/a'],
      ['policy=shop/p', 'rule=shop/p/b if match', 'key=<x-tenant>'],
      ['policy=shop/p', 'rule=shop/p/c', 'remote_address=<peer ip>'],
      ['policy=shop/p', 'rule=shop/p/d', 'key=<claim>'],
    ]);
  });

  it('a request without a key value is still counted (shared bucket): the key entry is skipped, not the call', () => {
    const config = enforcing([global('b', { key: { header: 'x-tenant' } })]);
    const key = config.rateLimits[0]?.actions[2]?.actionSpecifier;
    expect(key?.$case === 'requestHeaders' && key.value.skipIfAbsent).to.equal(true);
  });

  it('an enforced 429 carries x-ratelimit-* (draft 03) and retry-after', () => {
    const config = enforcing([global('l')]);
    expect(config.enableXRatelimitHeaders).to.equal(RateLimit_XRateLimitHeadersRFCVersion.DRAFT_VERSION_03);
    expect(config.enableRetryAfterHeader).to.equal(true);
    expect(config.filterEnforced?.defaultValue?.numerator).to.equal(100);
  });

  it('Audit-mode global limits never block: filter_enforced 0 and fail open, in their own filter', () => {
    const output = globalRateLimitFilter.build(limitsContext([global('e')], [global('a')]));
    expect(output.httpFilters.map((f) => f.name)).to.deep.equal([
      'envoy.filters.http.ratelimit/enforce',
      'envoy.filters.http.ratelimit/audit',
    ]);
    const audit = filterConfig(output.httpFilters[1], RateLimit);
    expect(audit.filterEnforced?.defaultValue?.numerator).to.equal(0);
    expect(audit.failureModeDeny).to.equal(false);
    expect(audit.enableXRatelimitHeaders).to.equal(RateLimit_XRateLimitHeadersRFCVersion.OFF);
    expect(audit.statPrefix).to.equal('aspen_audit');
  });

  it('splits Enforce-mode limits by failureMode: Closed ones fail closed, Open ones in their own filter fail open', () => {
    const output = globalRateLimitFilter.build(
      limitsContext([
        global('c'),
        global('o', { failureMode: 'Open' }),
        global('c2', { failureMode: 'Closed' }),
      ]),
    );
    expect(output.httpFilters.map((f) => f.name)).to.deep.equal([
      'envoy.filters.http.ratelimit/enforce',
      'envoy.filters.http.ratelimit/enforce-open',
    ]);
    const [closed, open] = output.httpFilters.map((f) => filterConfig(f, RateLimit));
    expect(closed?.failureModeDeny).to.equal(true);
    expect(closed?.rateLimits).to.have.length(2);
    expect(open?.failureModeDeny).to.equal(false);
    expect(open?.rateLimits).to.have.length(1);
    expect(open?.filterEnforced?.defaultValue?.numerator).to.equal(100);
    expect(open?.statPrefix).to.equal('aspen_enforce_open');
  });

  it('runs after the local limits and before the body buffer', () => {
    const ids = HTTP_FILTER_ORDER.map((m) => m.id);
    expect(ids.indexOf('local-ratelimit')).to.be.lessThan(ids.indexOf('global-ratelimit'));
    expect(ids.indexOf('global-ratelimit')).to.be.lessThan(ids.indexOf('body-limit'));
  });

  describe("Envoy's validators", function () {
    before(async function () {
      this.timeout(300000);
      await buildEnvoyValidate();
    });

    it('accept both filters and the dataplane cluster', async () => {
      const enforce = [
        global('a'),
        global('b', { key: { jwtClaim: 'sub' }, match: { methods: ['GET'], paths: [{ prefix: '/api/' }] } }),
        global('c', { key: { remoteAddress: true } }),
        global('d', { key: { apiKeyClient: true } }),
      ];
      const results = await validateOutput(
        globalRateLimitFilter.build(limitsContext(enforce, [global('e')])),
      );
      expect(results.map((r) => r.errors ?? [])).to.deep.equal([[], [], []]);
    });
  });
});
