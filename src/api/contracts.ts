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
