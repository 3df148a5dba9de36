/**
 * The one table that fixes the order of HTTP filters on every inbound port. Modules are listed here explicitly (no
 * registration by import side effects). Order matters for security: headers clients must not set are removed
 * first, requests are authenticated before they are authorized, and the router is last.
 */
import type { HttpFilterModule } from './module.js';
import { routerFilter } from './router.js';

/** HTTP filter modules in chain order. */
export const HTTP_FILTER_ORDER: readonly HttpFilterModule[] = [
  // 1. header sanitizing (header_mutation): client-sent x-aspen-*, claim headers, forwarded identity   [todo]
  // 2. path parameter rejection before anything matches on paths                                        [todo]
  // 3. jwt_authn                                                                                         [todo]
  // 4. ext_authz: API keys                                                                               [todo]
  // 5. rbac: Deny rules, then Allow rules (+ shadow rules for Audit mode)                                [todo]
  // 6. local_ratelimit, 7. ratelimit (global)                                                            [todo]
  // 8. buffer: maxBodyBytes                                                                              [todo]
  routerFilter,
];
