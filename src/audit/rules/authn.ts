/** Rules about how credentials are checked and carried: JWT audiences, tokens and API keys in query strings. */
import type { ApiSecurityPolicy } from '../../api/v1alpha1/types.js';
import { formatPath } from '../../translate/problem.js';
import { type AuditRule, type RuleHit, eachPolicy, policyObject } from '../rule.js';

function providers(policy: ApiSecurityPolicy): NonNullable<ApiSecurityPolicy['spec']['jwt']>['providers'] {
  return policy.spec.jwt?.providers ?? [];
}

function missingAudiences(policy: ApiSecurityPolicy): RuleHit[] {
  return providers(policy).flatMap((provider, i) =>
    (provider.audiences ?? []).length > 0
      ? []
      : [
          {
            object: policyObject(policy),
            field: formatPath(['spec', 'jwt', 'providers', i, 'audiences']),
            message: `JWT provider "${provider.name}" accepts tokens for any audience`,
            hint: `set spec.jwt.providers[${i}].audiences to the audience (aud) the issuer puts in tokens meant for this API`,
          },
        ],
  );
}

/**
 * ASP010: a JWT provider without `audiences` accepts any token its issuer signed, including tokens issued for
 * other applications: a token leaked from, or legitimately held for, another API is accepted here (confused
 * deputy). Medium.
 */
export const jwtWithoutAudience: AuditRule = {
  id: 'ASP010',
  severity: 'medium',
  title: 'JWT provider without audiences accepts tokens meant for other APIs',
  check: (input) => eachPolicy(input, missingAudiences),
};

function tokensInQuery(policy: ApiSecurityPolicy): RuleHit[] {
  return providers(policy).flatMap((provider, i) =>
    (provider.from ?? []).flatMap((source, j) =>
      source.query === undefined
        ? []
        : [
            {
              object: policyObject(policy),
              field: formatPath(['spec', 'jwt', 'providers', i, 'from', j, 'query']),
              message: `JWT provider "${provider.name}" reads tokens from the query parameter "${source.query}"`,
              hint: 'carry tokens in the Authorization header (or a cookie) and remove the query source',
            },
          ],
    ),
  );
}

/**
 * ASP011: tokens read from a query parameter end up in URLs, hence in access logs, proxies, browser history and
 * Referer headers. Tokens expire, which limits the damage, so low.
 */
export const jwtTokenInQuery: AuditRule = {
  id: 'ASP011',
  severity: 'low',
  title: 'JWT tokens read from a query parameter',
  check: (input) => eachPolicy(input, tokensInQuery),
};

/**
 * ASP012: API keys read from a query parameter end up in URLs, hence in logs, proxies and browser history. Unlike
 * tokens they do not expire, so a leaked key works until it is rotated. Medium.
 */
export const apiKeyInQuery: AuditRule = {
  id: 'ASP012',
  severity: 'medium',
  title: 'API keys read from a query parameter',
  check: (input) =>
    eachPolicy(input, (p) => {
      const query = p.spec.apiKeys?.from.query;
      if (query === undefined) return [];
      return [
        {
          object: policyObject(p),
          field: 'spec.apiKeys.from.query',
          message: `API keys are read from the query parameter "${query}"; URLs with keys end up in logs`,
          hint: 'read keys from a header instead (spec.apiKeys.from.header, e.g. x-api-key) and rotate keys that were sent in URLs',
        },
      ];
    }),
};
