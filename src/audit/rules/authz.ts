/** Rules about authorization: open defaults and write methods anyone can call. */
import type { ApiSecurityPolicy } from '../../api/v1alpha1/types.js';
import { formatPath } from '../../translate/problem.js';
import { anonymousAllowRules, writeMethodsAllowed } from '../exposure.js';
import { type AuditRule, type RuleHit, describePaths, eachPolicy, policyObject } from '../rule.js';

/**
 * ASP007: `authorization.defaultAction: Allow` lets through every request no rule matches, so the policy is an
 * allow-list of nothing: a new endpoint, a typo in a path or a method nobody thought of is open. High.
 */
export const defaultAllow: AuditRule = {
  id: 'ASP007',
  severity: 'high',
  title: 'authorization.defaultAction Allow: requests no rule matches are allowed',
  check: (input) =>
    eachPolicy(input, (p) =>
      p.spec.authorization?.defaultAction === 'Allow'
        ? [
            {
              object: policyObject(p),
              field: 'spec.authorization.defaultAction',
              message: 'authorization.defaultAction is Allow: every request no rule matches is allowed',
              hint: 'set spec.authorization.defaultAction to Deny (the default) and add Allow rules for what callers need',
            },
          ]
        : [],
    ),
};

function publicWrites(policy: ApiSecurityPolicy): RuleHit[] {
  return anonymousAllowRules(policy.spec).flatMap(({ rule, index }) => {
    const methods = writeMethodsAllowed(policy.spec, rule);
    if (methods.length === 0) return [];
    return [
      {
        object: policyObject(policy),
        field: formatPath(['spec', 'authorization', 'rules', index]),
        message: `rule "${rule.name}" allows ${methods.join(', ')} on ${describePaths(rule.to?.paths)} without authentication`,
        hint:
          'require a token (spec.jwt.required: true) or restrict the rule to known callers (from.principals, ' +
          'from.namespaces, from.jwtClaims or from.apiKeyClients); or limit to.methods to read-only methods',
      },
    ];
  });
}

/**
 * ASP008: an Allow rule that anyone can match (no JWT required by the policy, no principals, namespaces, jwtClaims
 * or apiKeyClients in `from`) and that covers POST, PUT, PATCH or DELETE (a rule without `to.methods` covers them
 * all). Anyone who can reach the workload can change data. Methods refused outright, by
 * `requestValidation.allowedMethods` or by a Deny rule matching every caller on every path, are not counted.
 * High.
 */
export const publicWriteMethods: AuditRule = {
  id: 'ASP008',
  severity: 'high',
  title: 'Write methods (POST/PUT/PATCH/DELETE) allowed without authentication',
  check: (input) => eachPolicy(input, publicWrites),
};
