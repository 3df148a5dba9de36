import { expect } from 'chai';
import { Buffer } from '../../../../src/gen/envoy/extensions/filters/http/buffer/v3/buffer.js';
import { bodyLimitFilter } from '../../../../src/xds/translate/filters/body-limit.js';
import { HTTP_FILTER_ORDER } from '../../../../src/xds/translate/filters/order.js';
import { buildEnvoyValidate } from '../../../tools/envoy-validate.js';
import { validateOutput } from './fixtures.js';
import { context, filterConfig, policySet, port } from './traffic-fixtures.js';

/** The context of a port whose Enforce (and Audit) request validation sets these body sizes. */
function withBodyLimit(enforce?: number, audit?: number): ReturnType<typeof context> {
  const validation = (max?: number): ReturnType<typeof policySet>['requestValidation'] => ({
    requiredHeaders: [],
    allowPathParameters: false,
    openapi: [],
    ...(max !== undefined ? { maxBodyBytes: max } : {}),
  });
  return context(
    port({
      enforce: policySet({ requestValidation: validation(enforce) }),
      ...(audit !== undefined ? { audit: policySet({ requestValidation: validation(audit) }) } : {}),
    }),
  );
}

describe('xds/translate/filters/body-limit', () => {
  it('body over maxBodyBytes is refused: buffer max_request_bytes', () => {
    const output = bodyLimitFilter.build(withBodyLimit(1048576));
    expect(output.httpFilters.map((f) => f.name)).to.deep.equal(['envoy.filters.http.buffer']);
    expect(filterConfig(output.httpFilters[0], Buffer).maxRequestBytes).to.equal(1048576);
    expect(output.clusters).to.deep.equal([]);
  });

  it('adds no filter when no body size is set', () => {
    expect(bodyLimitFilter.build(withBodyLimit())).to.deep.equal({ httpFilters: [], clusters: [] });
  });

  it('an Audit-mode body size never blocks: no filter from the Audit set', () => {
    expect(bodyLimitFilter.build(withBodyLimit(undefined, 10)).httpFilters).to.deep.equal([]);
  });

  it('buffers only after authentication, authorization and rate limits, just before the router', () => {
    const ids = HTTP_FILTER_ORDER.map((m) => m.id);
    for (const before of ['jwt', 'api-keys', 'rbac', 'local-ratelimit', 'global-ratelimit']) {
      expect(ids.indexOf(before), before).to.be.lessThan(ids.indexOf('body-limit'));
    }
    expect(ids.indexOf('body-limit')).to.equal(ids.indexOf('router') - 1);
  });

  describe("Envoy's validators", function () {
    before(async function () {
      this.timeout(300000);
      await buildEnvoyValidate();
    });

    it('accept the buffer config', async () => {
      const results = await validateOutput(bodyLimitFilter.build(withBodyLimit(1)));
      expect(results.map((r) => r.errors ?? [])).to.deep.equal([[]]);
      expect(results[0]?.ok).to.equal(true);
    });
  });
});
