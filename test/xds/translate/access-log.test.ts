import { expect } from 'chai';
import { AccessLog } from '../../../src/gen/envoy/config/accesslog/v3/accesslog.js';
import { HttpGrpcAccessLogConfig } from '../../../src/gen/envoy/extensions/access_loggers/grpc/v3/als.js';
import { StdoutAccessLog } from '../../../src/gen/envoy/extensions/access_loggers/stream/v3/stream.js';
import { API_KEY_CLIENT_HEADER, AUDIT_API_KEY_CHECK } from '../../../src/api/contracts.js';
import type { AccessLogIR } from '../../../src/ir/index.js';
import { unpackAnyAs } from '../../../src/xds/proto/any.js';
import { toCanonicalJson } from '../../../src/xds/proto/json.js';
import { typeUrlOf } from '../../../src/xds/proto/registry.js';
import { accessLogClusters, accessLogJsonFormat, accessLogs } from '../../../src/xds/translate/access-log.js';
import type { FilterContext } from '../../../src/xds/translate/filters/module.js';
import { AUDIT_RATE_LIMITED_HEADER } from '../../../src/xds/translate/filters/local-ratelimit.js';
import { DATAPLANE_CLUSTER } from '../../../src/xds/translate/names.js';
import { buildEnvoyValidate, validateWithEnvoy } from '../../tools/envoy-validate.js';
import { context, port } from './filters/traffic-fixtures.js';

/** The context of port 8080 with these access-log settings. */
function withLog(accessLog: Partial<AccessLogIR> = {}): FilterContext {
  return context(port({ accessLog: { enabled: true, redactHeaders: ['authorization'], ...accessLog } }));
}

/** The JSON format of the stdout log, as Envoy receives it. */
function stdoutFormat(ctx: FilterContext): Record<string, unknown> {
  const log = accessLogs(ctx).find((l) => l.name === 'envoy.access_loggers.stdout');
  if (log?.configType?.$case !== 'typedConfig') throw new Error('no stdout log');
  const format = unpackAnyAs(log.configType.value, StdoutAccessLog).accessLogFormat?.value.format;
  if (format?.$case !== 'jsonFormat' || format.value === undefined) throw new Error('not JSON');
  return format.value;
}

/** The gRPC access-log config. */
function grpcConfig(log: AccessLog | undefined): HttpGrpcAccessLogConfig {
  if (log?.configType?.$case !== 'typedConfig') throw new Error('no gRPC log');
  return unpackAnyAs(log.configType.value, HttpGrpcAccessLogConfig);
}

/** Every request header a format string reads (`%REQ(h)%`, `%REQ_WITHOUT_QUERY(h)%`), lower case. */
function headersRead(format: Record<string, unknown>): string[] {
  const text = JSON.stringify(format);
  return [...text.matchAll(/%REQ(?:_WITHOUT_QUERY)?\(([^)]+)\)/g)].map((m) => (m[1] ?? '').toLowerCase());
}

describe('xds/translate/access-log', () => {
  it('the access log never contains the query string or redacted headers', () => {
    const redactHeaders = [
      'authorization',
      'cookie',
      'x-request-id',
      API_KEY_CLIENT_HEADER,
      AUDIT_RATE_LIMITED_HEADER,
      AUDIT_API_KEY_CHECK.clientHeader,
      AUDIT_API_KEY_CHECK.deniedHeader,
    ];
    const format = stdoutFormat(withLog({ redactHeaders }));
    expect(format.path).to.equal('%REQ_WITHOUT_QUERY(:PATH)%');
    const text = JSON.stringify(format);
    expect(text).not.to.match(/%REQ\(:PATH\)%|ORIGINAL-PATH|%PATH%|QUERY_PARAM/i);
    const read = headersRead(format);
    for (const header of redactHeaders) expect(read, header).not.to.include(header);
    expect(format).not.to.have.property('request_id');
    expect(format).not.to.have.property('api_key_client');
    const als = grpcConfig(accessLogs(withLog({ redactHeaders }))[1]);
    expect(als.additionalRequestHeadersToLog).to.deep.equal([]);
  });

  it('logs only an allow-list of headers, never credentials', () => {
    const format = stdoutFormat(withLog());
    expect(headersRead(format).sort()).to.deep.equal([
      ':authority',
      ':method',
      ':path',
      API_KEY_CLIENT_HEADER,
      AUDIT_API_KEY_CHECK.clientHeader,
      AUDIT_API_KEY_CHECK.deniedHeader,
      AUDIT_RATE_LIMITED_HEADER,
      'x-request-id',
    ]);
  });

  it('carries who called what, the decision and why (the contract with the access-log service)', () => {
    const format = stdoutFormat(withLog());
    expect(Object.keys(format)).to.include.members([
      'time',
      'workload',
      'port',
      'source_identity',
      'source_address',
      'method',
      'path',
      'status',
      'response_flags',
      'response_code_details',
      'duration_ms',
      'deny_result',
      'deny_rule',
      'allow_result',
      'allow_rule',
      'audit_deny_result',
      'audit_allow_rule',
      'api_key_client',
      'audit_rate_limited',
      'audit_validation_result',
      'audit_validation_rule',
      'audit_api_key_client',
      'audit_api_key_denied',
      'jwt_subject',
      'jwt_issuer',
    ]);
    expect(format).to.include({
      workload: 'shop/orders',
      port: 8080,
      source_identity: '%DOWNSTREAM_PEER_URI_SAN%',
      deny_rule: '%DYNAMIC_METADATA(envoy.filters.http.rbac:aspen_deny_enforced_effective_policy_id)%',
      audit_allow_result:
        '%DYNAMIC_METADATA(envoy.filters.http.rbac:aspen_audit_allow_shadow_engine_result)%',
      jwt_subject: '%DYNAMIC_METADATA(envoy.filters.http.jwt_authn:jwt_payload:sub)%',
      api_key_client: `%REQ(${API_KEY_CLIENT_HEADER})%`,
      audit_api_key_client: `%REQ(${AUDIT_API_KEY_CHECK.clientHeader})%`,
      audit_validation_rule:
        '%DYNAMIC_METADATA(envoy.filters.http.rbac:aspen_audit_validation_shadow_effective_policy_id)%',
    });
  });

  it('streams every request to aspen’s access-log service, named aspen, over the dataplane cluster', () => {
    const logs = accessLogs(withLog());
    expect(logs.map((l) => l.name)).to.deep.equal([
      'envoy.access_loggers.stdout',
      'envoy.access_loggers.http_grpc',
    ]);
    expect(logs[1]?.filter).to.equal(undefined);
    const als = grpcConfig(logs[1]);
    expect(als.commonConfig?.logName).to.equal('aspen');
    expect(als.commonConfig?.grpcService?.targetSpecifier?.value).to.include({
      clusterName: DATAPLANE_CLUSTER,
    });
    expect(als.additionalRequestHeadersToLog).to.deep.equal([
      API_KEY_CLIENT_HEADER,
      AUDIT_RATE_LIMITED_HEADER,
      AUDIT_API_KEY_CHECK.clientHeader,
      AUDIT_API_KEY_CHECK.deniedHeader,
    ]);
    expect(accessLogClusters(withLog()).map((c) => c.name)).to.deep.equal([DATAPLANE_CLUSTER]);
  });

  it('with access logging off, only security events still reach the service (status ≥ 400 or would-deny)', () => {
    const logs = accessLogs(withLog({ enabled: false }));
    expect(logs.map((l) => l.name)).to.deep.equal(['envoy.access_loggers.http_grpc']);
    const or = logs[0]?.filter?.filterSpecifier;
    if (or?.$case !== 'orFilter') throw new Error('no or filter');
    expect(or.value.filters.map((f) => f.filterSpecifier?.$case)).to.deep.equal([
      'statusCodeFilter',
      'metadataFilter',
      'metadataFilter',
      'metadataFilter',
      'headerFilter',
      'headerFilter',
    ]);
    const events = JSON.stringify(or.value.filters);
    expect(events).to.include('aspen_audit_validation_shadow_engine_result');
    expect(events).to.include(AUDIT_API_KEY_CHECK.deniedHeader);
  });

  it('omits fields without a value rather than printing "-"', () => {
    const log = accessLogs(withLog())[0];
    if (log?.configType?.$case !== 'typedConfig') throw new Error('no stdout log');
    expect(
      unpackAnyAs(log.configType.value, StdoutAccessLog).accessLogFormat?.value.omitEmptyValues,
    ).to.equal(true);
    expect(accessLogJsonFormat(withLog())).to.have.property('time', '%START_TIME%');
  });

  describe("Envoy's validators", function () {
    before(async function () {
      this.timeout(300000);
      await buildEnvoyValidate();
    });

    it('accept both access logs, enabled and security-events-only', async () => {
      const url = typeUrlOf(AccessLog.$type);
      const logs = [...accessLogs(withLog()), ...accessLogs(withLog({ enabled: false }))];
      const results = await validateWithEnvoy(
        logs.map((l) => ({ '@type': url, ...(toCanonicalJson(url, l) as object) })),
      );
      expect(results.map((r) => r.errors ?? [])).to.deep.equal([[], [], []]);
      expect(results.every((r) => r.ok)).to.equal(true);
    });
  });
});
