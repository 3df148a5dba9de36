/**
 * The one table that fixes the order of HTTP filters on every inbound port. Modules are listed here explicitly (no
 * registration by import side effects). Order matters for security: headers clients must not set are removed
 * first, requests are authenticated before they are authorized, and the router is last.
 */
import { apiKeysFilter } from './api-keys.js';
import { auditValidationFilter } from './audit-validation.js';
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
  // 2. rbac, shadow rules only: Audit request validation, before any enforcing filter so it sees every request
  auditValidationFilter,
  // 3. path parameter rejection before anything matches on paths
  pathParamsFilter,
  // 4. jwt_authn (Audit, then Enforce)
  jwtFilters,
  // 5. ext_authz: API keys (Audit in shadow mode, then Enforce)
  apiKeysFilter,
  // 6. rbac: Audit shadow rules, then Deny rules, then Allow rules
  rbacFilters,
  // 7. local_ratelimit: one filter per Local limit (Enforce, then Audit)
  localRateLimitFilter,
  // 8. ratelimit (global): Enforce, then Audit; after the local limits so locally refused requests cost no call
  globalRateLimitFilter,
  // 9. buffer: maxBodyBytes (Enforce only)
  bodyLimitFilter,
  routerFilter,
];
