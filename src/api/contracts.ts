/**
 * Names shared by aspen's translators and its per-request services (design.md "Contracts both sides import").
 */

/**
 * Request header carrying the authenticated API-key client's name from the API-key check to RBAC, rate limits and
 * the application. Removed from every client request before authentication runs.
 */
export const API_KEY_CLIENT_HEADER = 'x-aspen-api-key-client';

/** Rate-limit descriptor domain and entry keys. */
export const RATE_LIMIT_DOMAIN = 'aspen';
/** Rate-limit descriptor entry keys: the policy, the limit, and the per-client key value. */
export const RATE_LIMIT_DESCRIPTOR_KEYS = { policy: 'policy', rule: 'rule', key: 'key' } as const;

/**
 * gRPC metadata (request headers of the ext_authz `Check` call) with which a sidecar tells the API-key check what
 * applies to the port: `clients` holds the ids (`<namespace>/<policy>/<client>`) of the port's API-key clients,
 * comma-separated and sorted; `source` says where the key is read: `header:<name>` or `query:<name>`. The check
 * answers OK with API_KEY_CLIENT_HEADER set to the client's name for a known key, OK with no header when the key is
 * absent, and PERMISSION_DENIED (403) for any other key. `mode` is sent only by the Audit-mode check, with the value
 * AUDIT_API_KEY_CHECK.mode, and changes those answers as AUDIT_API_KEY_CHECK says; without it the check enforces.
 */
export const API_KEY_CHECK_METADATA = {
  clients: 'x-aspen-api-key-clients',
  source: 'x-aspen-api-key-source',
  mode: 'x-aspen-api-key-mode',
} as const;

/**
 * Request header carrying the API-key client's name, as the Audit-mode check found it, to the Audit shadow rules and
 * the access log. Like every `x-aspen-*` header it is removed from every client request before any check runs.
 */
export const AUDIT_API_KEY_CLIENT_HEADER = 'x-aspen-audit-api-key-client';

/**
 * The contract of the Audit-mode API-key check (docs/adr/0006-api-keys-via-ext-authz.md, "Audit-mode API keys"),
 * which the dataplane must honour. The sidecar calls it like the enforcing check, with the Audit policies' clients
 * and key location in API_KEY_CHECK_METADATA, plus `API_KEY_CHECK_METADATA.mode` = `mode` (the enforcing check sends
 * no mode). For such a call the dataplane:
 * - answers OK, always: never PERMISSION_DENIED or another error status, whatever the key;
 * - sets `clientHeader` to the client's name for a known key; sets nothing for a request without a key;
 * - sets `deniedHeader` to `unknownKey` for a key the enforcing check would refuse (the would-deny that the access
 *   log records);
 * - sets no other request header, removes none, changes no query parameter, adds no response header and no dynamic
 *   metadata.
 * The sidecar guards the request on its side as well: the filter runs in ext_authz `shadow_mode` (a denial or an
 * error never terminates the request), with `failure_mode_allow`, and with mutation rules that drop (without
 * error) every header change except `clientHeader` and `deniedHeader`.
 */
export const AUDIT_API_KEY_CHECK = {
  mode: 'audit',
  clientHeader: AUDIT_API_KEY_CLIENT_HEADER,
  deniedHeader: 'x-aspen-audit-api-key-denied',
  unknownKey: 'unknown-key',
} as const;

/**
 * What a sidecar's access log tells aspen's access-log service (ALS) about the decision on a request, and where: the
 * xDS translation emits these names (src/xds/translate/access-log.ts and the RBAC, request-validation and JWT filters)
 * and the dataplane's ALS reads them (src/dataplane/accesslog/). One place, so the two sides cannot drift.
 *
 * - `logName`: the gRPC access log's `log_name`, by which the service recognises aspen's stream.
 * - Each RBAC filter records its decision in dynamic metadata under `rbacNamespace`, with keys
 *   `<prefix><engine>_engine_result` (`allowed`/`denied`) and `<prefix><engine>_effective_policy_id` (the id of the
 *   matching rule, `<namespace>/<policy>/<rule>`: its first two segments name the policy). `engines` lists the
 *   filters: enforced engines decide (`deny`, `allow`), shadow engines only record what Audit-mode rules would have
 *   done (`auditDeny`, `auditAllow`, `auditValidation`).
 * - The verified JWT payload of the Enforce-mode filter is under `jwtNamespace` / `jwtPayloadKey` (`sub`, `iss`).
 * - The global rate-limit service answers an over-limit request with dynamic metadata under `rateLimitNamespace`:
 *   `{ policy, rule }` of the limit that refused it (Envoy stores the service's `dynamic_metadata` there).
 * - The API-key check answers a refused key with dynamic metadata under `apiKeyNamespace`: `{ reason }`.
 * - Envoy's `response_flags`: `UAEX` (refused by the API-key check), `RL` (rate-limited, local or global).
 */
export const ACCESS_LOG_CONTRACT = {
  logName: 'aspen',
  rbacNamespace: 'envoy.filters.http.rbac',
  engines: {
    deny: { prefix: 'aspen_deny_', engine: 'enforced' },
    allow: { prefix: 'aspen_allow_', engine: 'enforced' },
    auditDeny: { prefix: 'aspen_audit_deny_', engine: 'shadow' },
    auditAllow: { prefix: 'aspen_audit_allow_', engine: 'shadow' },
    auditValidation: { prefix: 'aspen_audit_validation_', engine: 'shadow' },
  },
  denied: 'denied',
  jwtNamespace: 'envoy.filters.http.jwt_authn',
  jwtPayloadKey: 'jwt_payload',
  rateLimitNamespace: 'envoy.filters.http.ratelimit',
  apiKeyNamespace: 'envoy.filters.http.ext_authz',
  auditRateLimitedHeader: 'x-aspen-audit-rate-limited',
} as const;

/** One RBAC filter of ACCESS_LOG_CONTRACT.engines. */
export type RbacEngineName = keyof (typeof ACCESS_LOG_CONTRACT)['engines'];

/** The dynamic-metadata key (under ACCESS_LOG_CONTRACT.rbacNamespace) of an RBAC filter's result. */
export function rbacResultKey(engine: RbacEngineName): string {
  const e = ACCESS_LOG_CONTRACT.engines[engine];
  return `${e.prefix}${e.engine}_engine_result`;
}

/** The dynamic-metadata key (under ACCESS_LOG_CONTRACT.rbacNamespace) of an RBAC filter's matching rule id. */
export function rbacRuleKey(engine: RbacEngineName): string {
  const e = ACCESS_LOG_CONTRACT.engines[engine];
  return `${e.prefix}${e.engine}_effective_policy_id`;
}
