/**
 * The one table that fixes the order of HTTP filters on every inbound port. Modules are listed here explicitly (no
 * registration by import side effects). Order matters for security: headers clients must not set are removed
 * first, requests are authenticated before they are authorized, and the router is last.
 */
import { apiKeysFilter } from './api-keys.js';
import { bodyLimitFilter } from './body-limit.js';
import { globalRateLimitFilter } from './global-ratelimit.js';
import { jwtFilters } from './jwt.js';
import { localRateLimitFilter } from './local-ratelimit.js';
import type { HttpFilterModule } from './module.js';
import { pathParamsFilter } from './path-params.js';
import { rbacFilters } from './rbac.js';
import { routerFilter } from './router.js';
import { sanitizeFilter } from './sanitize.js';

/** HTTP filter modules in chain order. */
export const HTTP_FILTER_ORDER: readonly HttpFilterModule[] = [
  // 1. header sanitizing (header_mutation): client-sent x-aspen-*, claim headers, forwarded identity
  sanitizeFilter,
  // 2. path parameter rejection before anything matches on paths
  pathParamsFilter,
  // 3. jwt_authn (Audit, then Enforce)
  jwtFilters,
  // 4. ext_authz: API keys
  apiKeysFilter,
  // 5. rbac: Audit shadow rules, then Deny rules, then Allow rules
  rbacFilters,
  // 6. local_ratelimit: one filter per Local limit (Enforce, then Audit)
  localRateLimitFilter,
  // 7. ratelimit (global): Enforce, then Audit; after the local limits so locally refused requests cost no call
  globalRateLimitFilter,
  // 8. buffer: maxBodyBytes
  bodyLimitFilter,
  routerFilter,
];
