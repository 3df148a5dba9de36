/**
 * Access (audit) logs of one inbound port's HTTP connection manager: `accessLogs(ctx)` for its `access_log` list.
 *
 * With `accessLog.enabled` (the default) every request is logged twice:
 * 1. `envoy.access_loggers.stdout`: one JSON line per request on the sidecar's stdout, with exactly these fields
 *    (absent values are omitted):
 *    - `time` (`%START_TIME%`), `workload` (`<namespace>/<name>`), `port` (the inbound container port),
 *    - `source_identity` (peer SPIFFE ID, `%DOWNSTREAM_PEER_URI_SAN%`), `source_address` (peer IP:port),
 *    - `authority`, `method`, `path` (`%REQ_WITHOUT_QUERY(:PATH)%`: never the query string, which may carry keys or
 *      tokens), `request_id`,
 *    - `status`, `response_flags` (e.g. `RL` rate-limited, `UAEX` refused by the API-key check),
 *      `response_code_details` (e.g. `rbac_access_denied_matched_policy[...]`, `local_rate_limited`), `duration_ms`,
 *    - per RBAC filter (filters/rbac.ts), `<filter>_result` (`allowed`/`denied`) and `<filter>_rule` (the matching
 *      rule id) for `deny`, `allow` (enforced engines) and `audit_deny`, `audit_allow` (shadow engines of Audit-mode
 *      rules: what they would have done), and `audit_validation` (filters/audit-validation.ts: the Audit-mode
 *      request validation; `_rule` names the check, e.g. `method-not-allowed`),
 *    - `api_key_client` (the API-key client header set by the API-key check), `jwt_subject` / `jwt_issuer` (from the
 *      verified JWT payload in jwt_authn's dynamic metadata), `audit_rate_limited` (ids of the Audit-mode local
 *      limits that would have refused the request), `audit_api_key_client` / `audit_api_key_denied` (what the
 *      Audit-mode API-key check found: the client, or `unknown-key` for a key Enforce mode would refuse).
 *    No other header is logged, and a header listed in `redactHeaders` is left out even from the list above.
 * 2. `envoy.access_loggers.http_grpc` (log name `aspen`) streaming to aspen's access-log service on DATAPLANE_CLUSTER
 *    (issue 8), which writes the audit record and metrics. Buffered and fire-and-forget: a slow or absent service
 *    never delays or fails a request. Contract with that service: the node names the workload; the decision is in
 *    `common_properties.metadata` (`envoy.filters.http.rbac` keys read above, the verified JWT claims under
 *    `envoy.filters.http.jwt_authn`), `response_flags` and `response.response_code_details`; the only extra request headers
 *    sent are the API-key client header, the audit rate-limit header and the two Audit API-key headers (unless
 *    redacted). `request.path` is Envoy's `:path` WITH the query string:
 *    the service must drop everything from `?` before recording it.
 *
 * With `accessLog.enabled` false only the gRPC log remains, filtered to security events (status 400 and above, an
 * Audit-mode rule, request validation, API-key check or local limit that would have denied), since denials and would-denials are always recorded.
 */
import {
  AccessLog,
  AccessLogFilter,
  ComparisonFilter_Op,
} from '../../gen/envoy/config/accesslog/v3/accesslog.js';
import { ApiVersion } from '../../gen/envoy/config/core/v3/config_source.js';
import { HttpGrpcAccessLogConfig } from '../../gen/envoy/extensions/access_loggers/grpc/v3/als.js';
import { StdoutAccessLog } from '../../gen/envoy/extensions/access_loggers/stream/v3/stream.js';
import {
  ACCESS_LOG_CONTRACT,
  API_KEY_CLIENT_HEADER,
  AUDIT_API_KEY_CHECK,
  rbacResultKey,
  rbacRuleKey,
} from '../../api/contracts.js';
import type { RbacEngineName } from '../../api/contracts.js';
import type { Cluster } from '../../gen/envoy/config/cluster/v3/cluster.js';
import { dataplaneCluster } from './clusters.js';
import { typedConfig } from './common.js';
import { ENFORCE_PAYLOAD_KEY } from './filters/jwt-providers.js';
import { AUDIT_RATE_LIMITED_HEADER } from './filters/local-ratelimit.js';
import { JWT_METADATA_NAMESPACE } from './filters/rbac-matchers.js';
import { DATAPLANE_CLUSTER } from './names.js';
import type { PortIR, WorkloadIR } from '../../ir/index.js';
import type { XdsTranslateConfig } from './config.js';

/**
 * What the access logs of one port read: the port, the settings, and the workload's name, which only the stdout log
 * (access logging enabled) carries. Inbound memos (inbound.ts) key on exactly this.
 */
export interface AccessLogContext {
  /** The port. */
  port: PortIR;
  /** Translation settings. */
  config: XdsTranslateConfig;
  /** The proxy, as far as the logs read it. */
  proxy: { workload: Pick<WorkloadIR, 'namespace' | 'name'> };
}

/** Name of the gRPC access log: how aspen's access-log service recognises the stream. */
export const ACCESS_LOG_NAME = ACCESS_LOG_CONTRACT.logName;
/** Dynamic-metadata namespace of the RBAC filter (decision and matched policy). */
export const RBAC_METADATA_NAMESPACE = ACCESS_LOG_CONTRACT.rbacNamespace;

/** `%DYNAMIC_METADATA(ns:key:...)%`. */
function metadata(namespace: string, ...path: string[]): string {
  return `%DYNAMIC_METADATA(${[namespace, ...path].join(':')})%`;
}

/**
 * The decision of one RBAC filter: `<name>_result` (`allowed`/`denied`) and `<name>_rule` (the matching rule id),
 * read from the metadata keys Envoy prefixes with the filter's (shadow) rules stat prefix.
 */
function rbacFields(name: string, engine: RbacEngineName): Record<string, string> {
  return {
    [`${name}_result`]: metadata(RBAC_METADATA_NAMESPACE, rbacResultKey(engine)),
    [`${name}_rule`]: metadata(RBAC_METADATA_NAMESPACE, rbacRuleKey(engine)),
  };
}

/** Log fields that read no request header. */
function fixedFields(ctx: AccessLogContext): Record<string, string | number> {
  return {
    time: '%START_TIME%',
    workload: `${ctx.proxy.workload.namespace}/${ctx.proxy.workload.name}`,
    port: ctx.port.port,
    source_identity: '%DOWNSTREAM_PEER_URI_SAN%',
    source_address: '%DOWNSTREAM_REMOTE_ADDRESS%',
    method: '%REQ(:METHOD)%',
    path: '%REQ_WITHOUT_QUERY(:PATH)%',
    status: '%RESPONSE_CODE%',
    response_flags: '%RESPONSE_FLAGS%',
    response_code_details: '%RESPONSE_CODE_DETAILS%',
    duration_ms: '%DURATION%',
    ...rbacFields('deny', 'deny'),
    ...rbacFields('allow', 'allow'),
    ...rbacFields('audit_deny', 'auditDeny'),
    ...rbacFields('audit_allow', 'auditAllow'),
    ...rbacFields('audit_validation', 'auditValidation'),
    jwt_subject: metadata(JWT_METADATA_NAMESPACE, ENFORCE_PAYLOAD_KEY, 'sub'),
    jwt_issuer: metadata(JWT_METADATA_NAMESPACE, ENFORCE_PAYLOAD_KEY, 'iss'),
  };
}

/** The only request headers ever logged, by field name; each is left out when listed in `redactHeaders`. */
const LOGGED_HEADERS: readonly { field: string; header: string }[] = [
  { field: 'authority', header: ':authority' },
  { field: 'request_id', header: 'x-request-id' },
  { field: 'api_key_client', header: API_KEY_CLIENT_HEADER },
  { field: 'audit_rate_limited', header: AUDIT_RATE_LIMITED_HEADER },
  { field: 'audit_api_key_client', header: AUDIT_API_KEY_CHECK.clientHeader },
  { field: 'audit_api_key_denied', header: AUDIT_API_KEY_CHECK.deniedHeader },
];

/** The aspen-set headers the gRPC log sends besides Envoy's own fields (unless redacted). */
const GRPC_LOGGED_HEADERS: readonly string[] = [
  API_KEY_CLIENT_HEADER,
  AUDIT_RATE_LIMITED_HEADER,
  AUDIT_API_KEY_CHECK.clientHeader,
  AUDIT_API_KEY_CHECK.deniedHeader,
];

/** The logged headers a port does not redact. */
function safeHeaders(ctx: AccessLogContext): { field: string; header: string }[] {
  const redacted = new Set(ctx.port.accessLog.redactHeaders.map((h) => h.toLowerCase()));
  return LOGGED_HEADERS.filter((h) => !redacted.has(h.header));
}

/** The JSON object of one stdout log line: field name → Envoy format string (or literal). */
export function accessLogJsonFormat(ctx: AccessLogContext): Record<string, string | number> {
  const headers = Object.fromEntries(safeHeaders(ctx).map((h) => [h.field, `%REQ(${h.header})%`]));
  return { ...fixedFields(ctx), ...headers };
}

/** The stdout JSON logger. */
function stdoutLog(ctx: AccessLogContext): AccessLog {
  const config = StdoutAccessLog.fromPartial({
    accessLogFormat: {
      $case: 'logFormat',
      value: { format: { $case: 'jsonFormat', value: accessLogJsonFormat(ctx) }, omitEmptyValues: true },
    },
  });
  return AccessLog.fromPartial({ name: 'envoy.access_loggers.stdout', configType: typedConfig(config) });
}

/** Passes entries whose shadow RBAC engine (of this Audit filter) would have denied. */
function shadowDenied(engine: RbacEngineName): AccessLogFilter {
  return AccessLogFilter.fromPartial({
    filterSpecifier: {
      $case: 'metadataFilter',
      value: {
        matcher: {
          filter: RBAC_METADATA_NAMESPACE,
          path: [{ segment: { $case: 'key', value: rbacResultKey(engine) } }],
          value: {
            matchPattern: {
              $case: 'stringMatch',
              value: { matchPattern: { $case: 'exact', value: ACCESS_LOG_CONTRACT.denied } },
            },
          },
        },
        matchIfKeyNotFound: false,
      },
    },
  });
}

/** Passes entries whose request carries the header (set by aspen only: clients' `x-aspen-*` are removed). */
function headerPresent(name: string): AccessLogFilter {
  return AccessLogFilter.fromPartial({
    filterSpecifier: {
      $case: 'headerFilter',
      value: { header: { name, headerMatchSpecifier: { $case: 'presentMatch', value: true } } },
    },
  });
}

/**
 * Only security events: a response of 400 or above, or an Audit-mode rule, request validation, API-key check or
 * local limit that would deny.
 */
function securityEventsOnly(): AccessLogFilter {
  return AccessLogFilter.fromPartial({
    filterSpecifier: {
      $case: 'orFilter',
      value: {
        filters: [
          {
            filterSpecifier: {
              $case: 'statusCodeFilter',
              value: {
                comparison: {
                  op: ComparisonFilter_Op.GE,
                  value: { defaultValue: 400, runtimeKey: 'aspen.access_log.security_event_min_status' },
                },
              },
            },
          },
          shadowDenied('auditDeny'),
          shadowDenied('auditAllow'),
          shadowDenied('auditValidation'),
          headerPresent(AUDIT_API_KEY_CHECK.deniedHeader),
          headerPresent(AUDIT_RATE_LIMITED_HEADER),
        ],
      },
    },
  });
}

/** The gRPC logger to aspen's access-log service; `filter` limits what it sends. */
function grpcLog(ctx: AccessLogContext, filter?: AccessLogFilter): AccessLog {
  const redacted = new Set(ctx.port.accessLog.redactHeaders.map((h) => h.toLowerCase()));
  const config = HttpGrpcAccessLogConfig.fromPartial({
    commonConfig: {
      logName: ACCESS_LOG_NAME,
      grpcService: { targetSpecifier: { $case: 'envoyGrpc', value: { clusterName: DATAPLANE_CLUSTER } } },
      transportApiVersion: ApiVersion.V3,
    },
    additionalRequestHeadersToLog: GRPC_LOGGED_HEADERS.filter((h) => !redacted.has(h)),
  });
  return AccessLog.fromPartial({
    name: 'envoy.access_loggers.http_grpc',
    filter,
    configType: typedConfig(config),
  });
}

/**
 * The access logs of one port's HTTP connection manager: stdout JSON and gRPC when access logging is enabled, else
 * the gRPC log of security events only. The gRPC log references DATAPLANE_CLUSTER: add `accessLogClusters(ctx)`.
 */
export function accessLogs(ctx: AccessLogContext): AccessLog[] {
  if (!ctx.port.accessLog.enabled) return [grpcLog(ctx, securityEventsOnly())];
  return [stdoutLog(ctx), grpcLog(ctx)];
}

/** The clusters the access logs reference (the dataplane cluster, always: the gRPC log is always present). */
export function accessLogClusters(ctx: AccessLogContext): Cluster[] {
  return [dataplaneCluster(ctx.config)];
}
