import { expect } from 'chai';
import { parse } from '@marcbachmann/cel-js';
import { ApiSecurityPolicySpec } from '../../../src/api/v1alpha1/policy.js';
import { validatePolicy } from '../../../src/translate/validate/index.js';
import { formatPath } from '../../../src/translate/problem.js';

/** Every CEL rule in the spec schema, with where it sits. */
function celRules(node: unknown, path: string, out: { path: string; rule: string; message: string }[]): void {
  if (node === null || typeof node !== 'object') return;
  const n = node as Record<string, unknown>;
  for (const r of (n['x-kubernetes-validations'] ?? []) as { rule: string; message: string }[]) {
    out.push({ path, ...r });
  }
  for (const [key, child] of Object.entries((n.properties ?? {}) as Record<string, unknown>)) {
    celRules(child, `${path}.${key}`, out);
  }
  if (n.items !== undefined) celRules(n.items, `${path}[]`, out);
}

function problemsOf(spec: Record<string, unknown>): string[] {
  const object = {
    apiVersion: 'aspen.dev/v1alpha1',
    kind: 'ApiSecurityPolicy',
    metadata: { name: 'p' },
    spec,
  };
  return validatePolicy(object).problems.map((p) => `${formatPath(p.path)}: ${p.message}`);
}

const provider = {
  name: 'corp',
  issuer: 'https://login.example.com/',
  jwks: { remote: { uri: 'https://login.example.com/jwks.json' } },
};

/** For each CEL rule, a spec that breaks it, and the problem line expected. */
const VIOLATIONS: { message: string; spec: Record<string, unknown>; problem: string }[] = [
  {
    message: 'exactly one of header, query, cookie must be set',
    spec: { jwt: { providers: [{ ...provider, from: [{ query: 't', cookie: 'c' }] }] } },
    problem: 'spec.jwt.providers[0].from[0]: exactly one of header, query, cookie must be set',
  },
  {
    message: 'exactly one of remote, inline, secretRef must be set',
    spec: { jwt: { providers: [{ ...provider, jwks: {} }] } },
    problem: 'spec.jwt.providers[0].jwks: exactly one of remote, inline, secretRef must be set',
  },
  {
    message: 'exactly one of header, query must be set',
    spec: { apiKeys: { from: {}, clients: [{ name: 'a', secretRef: { name: 's', key: 'k' } }] } },
    problem: 'spec.apiKeys.from: exactly one of header, query must be set',
  },
  {
    message: 'exactly one of jwtClaim, header, remoteAddress, apiKeyClient must be set',
    spec: { rateLimits: [{ name: 'l', requests: 1, per: '1s', key: {} }] },
    problem:
      'spec.rateLimits[0].key: exactly one of jwtClaim, header, remoteAddress, apiKeyClient must be set',
  },
  {
    message: 'values must be non-empty for In and NotIn, and empty for Exists and DoesNotExist',
    spec: { selector: { matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] } },
    problem:
      'spec.selector.matchExpressions[0]: values must be non-empty for In and NotIn, and empty for Exists and DoesNotExist',
  },
  {
    message: 'authorization rules name JWT claims but spec.jwt configures no provider',
    spec: { authorization: { rules: [{ name: 'r', from: { jwtClaims: [{ name: 'a', values: ['b'] }] } }] } },
    problem:
      'spec.authorization.rules: authorization rules name JWT claims but spec.jwt configures no provider',
  },
  {
    message: 'a rate limit is keyed by a JWT claim but spec.jwt configures no provider',
    spec: { rateLimits: [{ name: 'l', requests: 1, per: '1s', key: { jwtClaim: 'sub' } }] },
    problem: 'spec.rateLimits: a rate limit is keyed by a JWT claim but spec.jwt configures no provider',
  },
  {
    message: 'a rate limit is keyed by the API-key client but spec.apiKeys configures no clients',
    spec: { rateLimits: [{ name: 'l', requests: 1, per: '1s', key: { apiKeyClient: {} } }] },
    problem:
      'spec.rateLimits: a rate limit is keyed by the API-key client but spec.apiKeys configures no clients',
  },
];

describe('the CRD’s CEL rules', () => {
  const rules: { path: string; rule: string; message: string }[] = [];
  celRules(ApiSecurityPolicySpec, 'spec', rules);

  it('all parse as standard CEL', () => {
    expect(rules.length).to.be.greaterThan(5);
    for (const { rule } of rules) expect(() => parse(rule), rule).to.not.throw();
  });

  it('each has a case here that breaks it (add one when adding a rule)', () => {
    const covered = new Set(VIOLATIONS.map((v) => v.message));
    expect(rules.map((r) => r.message).filter((m) => !covered.has(m))).to.deep.equal([]);
  });

  for (const v of VIOLATIONS) {
    it(`refuses: ${v.message}`, () => {
      const spec = { selector: {}, ...v.spec };
      expect(problemsOf(spec)).to.deep.equal([v.problem]);
    });
  }
});
