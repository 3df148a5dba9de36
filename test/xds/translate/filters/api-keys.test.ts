import { expect } from 'chai';
import { ApiVersion } from '../../../../src/gen/envoy/config/core/v3/config_source.js';
import { ExtAuthz } from '../../../../src/gen/envoy/extensions/filters/http/ext_authz/v3/ext_authz.js';
import type { HttpFilter } from '../../../../src/gen/envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.js';
import {
  API_KEY_CHECK_METADATA,
  API_KEY_CLIENT_HEADER,
  AUDIT_API_KEY_CHECK,
} from '../../../../src/api/contracts.js';
import type { ApiKeysIR } from '../../../../src/ir/index.js';
import { unpackAnyAs } from '../../../../src/xds/proto/any.js';
import {
  API_KEYS_FILTER_NAME,
  AUDIT_API_KEYS_FILTER_NAME,
  apiKeysFilter,
} from '../../../../src/xds/translate/filters/api-keys.js';
import { HTTP_FILTER_ORDER } from '../../../../src/xds/translate/filters/order.js';
import { DATAPLANE_CLUSTER } from '../../../../src/xds/translate/names.js';
import { buildEnvoyValidate } from '../../../tools/envoy-validate.js';
import { context, policySet, port, validateOutput } from './fixtures.js';

/** API keys read from `x-api-key`, two clients. */
function apiKeys(source: ApiKeysIR['source'] = { header: 'x-api-key' }): ApiKeysIR {
  return {
    source,
    clients: [
      { id: 'shop/p/web', name: 'web', secretRef: { namespace: 'shop', name: 'keys', key: 'web' } },
      { id: 'shop/p/batch', name: 'batch', secretRef: { namespace: 'shop', name: 'keys', key: 'batch' } },
    ],
  };
}

/** The ext_authz config of one filter. */
function config(filter: HttpFilter | undefined): ExtAuthz {
  if (filter?.configType?.$case !== 'typedConfig') throw new Error('no typed config');
  return unpackAnyAs(filter.configType.value, ExtAuthz);
}

/** The ext_authz config for a port with these API keys. */
function built(keys = apiKeys()): ExtAuthz {
  return config(apiKeysFilter.build(context(port({ enforce: policySet({ apiKeys: keys }) }))).httpFilters[0]);
}

describe('xds/translate/filters/api-keys', () => {
  it('no filter when no policy configures API keys', () => {
    expect(apiKeysFilter.build(context(port()))).to.deep.equal({ httpFilters: [], clusters: [] });
  });

  it("checks keys with aspen's dataplane over gRPC (v3) and returns the dataplane cluster", () => {
    const out = apiKeysFilter.build(context(port({ enforce: policySet({ apiKeys: apiKeys() }) })));
    const c = config(out.httpFilters[0]);
    expect(c.services?.$case).to.equal('grpcService');
    const grpc = c.services?.$case === 'grpcService' ? c.services.value : undefined;
    const target = grpc?.targetSpecifier;
    expect(target?.$case === 'envoyGrpc' && target.value.clusterName).to.equal(DATAPLANE_CLUSTER);
    expect(c.transportApiVersion).to.equal(ApiVersion.V3);
    expect(out.clusters.map((cl) => cl.name)).to.deep.equal([DATAPLANE_CLUSTER]);
  });

  it('a failing or slow check denies: failure_mode_allow false, a timeout', () => {
    const c = built();
    expect(c.failureModeAllow).to.equal(false);
    const grpc = c.services?.$case === 'grpcService' ? c.services.value : undefined;
    expect(grpc?.timeout).to.deep.include({ seconds: 0, nanos: 200_000_000 });
  });

  it('the check learns the clients and key location from gRPC metadata', () => {
    const grpc = built().services;
    const metadata =
      grpc?.$case === 'grpcService' ? grpc.value.initialMetadata.map((h) => [h.key, h.value]) : [];
    expect(metadata).to.deep.equal([
      [API_KEY_CHECK_METADATA.clients, 'shop/p/batch,shop/p/web'],
      [API_KEY_CHECK_METADATA.source, 'header:x-api-key'],
    ]);
  });

  it('only the key header is sent to the check: no body, no other header, bearer tokens and cookies withheld', () => {
    const c = built();
    expect(c.allowedHeaders?.patterns.map((p) => p.matchPattern)).to.deep.equal([
      { $case: 'exact', value: 'x-api-key' },
    ]);
    expect(c.withRequestBody).to.equal(undefined);
    expect(c.disallowedHeaders?.patterns.map((p) => p.matchPattern?.value)).to.deep.equal([
      'authorization',
      'cookie',
      'proxy-authorization',
    ]);
    const bearer = built(apiKeys({ header: 'authorization' }));
    expect(bearer.disallowedHeaders?.patterns.map((p) => p.matchPattern?.value)).to.deep.equal([
      'cookie',
      'proxy-authorization',
    ]);
    const q = built(apiKeys({ query: 'api_key' }));
    expect(q.allowedHeaders?.patterns.map((p) => p.matchPattern)).to.deep.equal([
      { $case: 'exact', value: ':path' },
    ]);
  });

  it('the check can set only the client header, and any other mutation fails the request', () => {
    const rules = built().decoderHeaderMutationRules;
    expect(rules?.disallowAll).to.equal(true);
    expect(rules?.disallowIsError).to.equal(true);
    const allowed = new RegExp(rules?.allowExpression?.regex ?? '$^');
    expect(allowed.test(API_KEY_CLIENT_HEADER)).to.equal(true);
    for (const other of ['x-aspen-api-key-clientx', 'authorization', 'x-sub', ':path'])
      expect(allowed.test(other), other).to.equal(false);
  });

  it('client-sent x-aspen-api-key-client is removed before ext_authz: sanitize runs first', () => {
    const ids = HTTP_FILTER_ORDER.map((m) => m.id);
    expect(ids.indexOf('sanitize')).to.be.lessThan(ids.indexOf('api-keys'));
    expect(ids.indexOf('api-keys')).to.be.lessThan(ids.indexOf('rbac'));
  });

  describe('Audit-mode API keys', () => {
    /** The filters of a port whose Audit set (and, optionally, Enforce set) configures API keys. */
    function auditOutput(withEnforce = false): ReturnType<typeof apiKeysFilter.build> {
      const enforce = withEnforce ? policySet({ apiKeys: apiKeys({ header: 'x-key' }) }) : policySet();
      return apiKeysFilter.build(context(port({ enforce, audit: policySet({ apiKeys: apiKeys() }) })));
    }

    it('get their own ext_authz filter, before the enforcing one, over the dataplane cluster', () => {
      expect(auditOutput().httpFilters.map((f) => f.name)).to.deep.equal([AUDIT_API_KEYS_FILTER_NAME]);
      expect(auditOutput().clusters.map((c) => c.name)).to.deep.equal([DATAPLANE_CLUSTER]);
      const both = auditOutput(true);
      expect(both.httpFilters.map((f) => f.name)).to.deep.equal([
        AUDIT_API_KEYS_FILTER_NAME,
        API_KEYS_FILTER_NAME,
      ]);
      expect(both.clusters.map((c) => c.name)).to.deep.equal([DATAPLANE_CLUSTER]);
    });

    it('the audit check cannot block: shadow mode, failure allowed, no path to a local reply', () => {
      const c = config(auditOutput().httpFilters[0]);
      expect(c.shadowMode).to.equal(true);
      expect(c.failureModeAllow).to.equal(true);
      expect(c.failureModeAllowHeaderAdd).to.equal(false);
      expect(c.statusOnError).to.equal(undefined);
      expect(c.denyAtDisable).to.equal(undefined);
      expect(c.filterEnabled).to.equal(undefined);
      expect(c.filterEnabledMetadata).to.equal(undefined);
      expect(c.validateMutations).to.equal(false);
      expect(c.decoderHeaderMutationRules?.disallowIsError).to.equal(false);
      expect(c.clearRouteCache).to.equal(false);
      expect(c.withRequestBody).to.equal(undefined);
    });

    it('the audit check may set only the two audit headers, never the enforcing client header', () => {
      const rules = config(auditOutput().httpFilters[0]).decoderHeaderMutationRules;
      expect(rules?.disallowAll).to.equal(true);
      const allowed = new RegExp(rules?.allowExpression?.regex ?? '$^');
      for (const header of [AUDIT_API_KEY_CHECK.clientHeader, AUDIT_API_KEY_CHECK.deniedHeader])
        expect(allowed.test(header), header).to.equal(true);
      for (const other of [API_KEY_CLIENT_HEADER, 'x-aspen-audit-api-key-clientx', 'authorization', ':path'])
        expect(allowed.test(other), other).to.equal(false);
      expect(config(auditOutput().httpFilters[0]).enableDynamicMetadataIngestion).to.equal(false);
    });

    it('tells the dataplane it is an audit check (the enforcing check sends no mode)', () => {
      const metadata = (c: ExtAuthz): string[][] =>
        c.services?.$case === 'grpcService'
          ? c.services.value.initialMetadata.map((h) => [h.key, h.value])
          : [];
      expect(metadata(config(auditOutput().httpFilters[0]))).to.deep.equal([
        [API_KEY_CHECK_METADATA.clients, 'shop/p/batch,shop/p/web'],
        [API_KEY_CHECK_METADATA.source, 'header:x-api-key'],
        [API_KEY_CHECK_METADATA.mode, AUDIT_API_KEY_CHECK.mode],
      ]);
      const enforcing = metadata(config(auditOutput(true).httpFilters[1])).map(([key]) => key);
      expect(enforcing).not.to.include(API_KEY_CHECK_METADATA.mode);
    });
  });

  describe("Envoy's validators", function () {
    before(async function () {
      this.timeout(300000);
      await buildEnvoyValidate();
    });

    it('accept the ext_authz config and the dataplane cluster', async () => {
      const results = await validateOutput(
        apiKeysFilter.build(context(port({ enforce: policySet({ apiKeys: apiKeys() }) }))),
      );
      expect(results.map((r) => r.errors ?? [])).to.deep.equal([[], []]);
    });

    it('accept the audit ext_authz config (shadow mode) beside the enforcing one', async () => {
      const out = apiKeysFilter.build(
        context(
          port({ enforce: policySet({ apiKeys: apiKeys() }), audit: policySet({ apiKeys: apiKeys() }) }),
        ),
      );
      const results = await validateOutput(out);
      expect(results.map((r) => r.errors ?? [])).to.deep.equal([[], [], []]);
      expect(results.flatMap((r) => r.warnings ?? [])).to.deep.equal([]);
    });
  });
});
