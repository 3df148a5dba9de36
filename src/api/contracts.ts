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
 * absent, and PERMISSION_DENIED (403) for any other key.
 */
export const API_KEY_CHECK_METADATA = {
  clients: 'x-aspen-api-key-clients',
  source: 'x-aspen-api-key-source',
} as const;
