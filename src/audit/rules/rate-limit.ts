/** Rule about requests anyone can make without being rate limited. */
import type { ApiSecurityPolicy } from '../../api/v1alpha1/types.js';
import { formatPath } from '../../translate/problem.js';
import { anonymousAllowRules, rateLimited, requiresJwt } from '../exposure.js';
import { type AuditRule, type RuleHit, describePaths, eachPolicy, policyObject } from '../rule.js';

const HINT =
  'add a spec.rateLimits entry matching these requests, keyed by remoteAddress (or header); limits keyed by ' +
  'jwtClaim or apiKeyClient do not count callers without credentials';

function unlimitedRules(policy: ApiSecurityPolicy): RuleHit[] {
  const spec = policy.spec;
  return anonymousAllowRules(spec)
    .filter(({ rule }) => !rateLimited(spec, rule.to?.methods, rule.to?.paths))
    .map(({ rule, index }) => ({
      object: policyObject(policy),
      field: formatPath(['spec', 'authorization', 'rules', index]),
      message: `rule "${rule.name}" allows unauthenticated requests on ${describePaths(rule.to?.paths)} with no rate limit counting them`,
      hint: HINT,
    }));
}

function unlimitedDefault(policy: ApiSecurityPolicy): RuleHit[] {
  const spec = policy.spec;
  if (spec.authorization?.defaultAction !== 'Allow' || requiresJwt(spec)) return [];
  if (rateLimited(spec, undefined, undefined)) return [];
  return [
    {
      object: policyObject(policy),
      field: 'spec.authorization.defaultAction',
      message:
        'defaultAction Allow lets unauthenticated requests through with no rate limit counting all of them',
      hint: HINT,
    },
  ];
}

/**
 * ASP009: requests anyone can make (an Allow rule reachable without authentication, or defaultAction Allow without
 * a required JWT) and that no rate limit counts. A single client can then exhaust the workload (denial of
 * service, scraping, credential stuffing). A limit counts a request when its match covers the rule's methods and
 * paths and its key exists for anonymous callers (no key, remoteAddress or header). Medium.
 */
export const unauthenticatedWithoutRateLimit: AuditRule = {
  id: 'ASP009',
  severity: 'medium',
  title: 'Unauthenticated requests not counted by any rate limit',
  check: (input) => eachPolicy(input, (p) => [...unlimitedRules(p), ...unlimitedDefault(p)]),
};
