/** Authorization: a policy's rules as IR, and the merge of several policies' authorization. */
import type { ApiSecurityPolicy, AuthorizationRule, RuleSource, RuleTarget } from '../api/v1alpha1/types.js';
import type { AuthorizationIR, RuleIR } from '../ir/index.js';
import type { CompileContext, CompiledPolicy, Merged } from './compiled.js';
import type { Conflict } from './conflict.js';
import { stricterApplies } from './conflict.js';
import { pathMatch, peerPrincipals, sortMatches } from './match.js';
import { compareStrings, sortById, sortedUnique } from './sort.js';

function compileSource(from: RuleSource | undefined, trustDomain: string): RuleIR['from'] {
  const out: RuleIR['from'] = {};
  if (from === undefined) return out;
  const principals = peerPrincipals(trustDomain, from.principals, from.namespaces);
  if (principals !== undefined) out.principals = principals;
  if (from.ipBlocks !== undefined) out.ipBlocks = sortedUnique(from.ipBlocks);
  if (from.jwtClaims !== undefined) {
    out.jwtClaims = from.jwtClaims
      .map((c) => ({ name: c.name, values: sortedUnique(c.values) }))
      .sort((a, b) => compareStrings(a.name, b.name));
  }
  if (from.apiKeyClients !== undefined) out.apiKeyClients = sortedUnique(from.apiKeyClients);
  return out;
}

/** The request conditions of a rule or a rate limit: methods sorted, path patterns as matches. */
export function compileTarget(to: RuleTarget | undefined): RuleIR['to'] {
  const out: RuleIR['to'] = {};
  if (to?.methods !== undefined) out.methods = sortedUnique(to.methods);
  if (to?.paths !== undefined) out.paths = sortMatches(to.paths.map(pathMatch));
  return out;
}

function compileRule(rule: AuthorizationRule, ctx: CompileContext): RuleIR {
  return {
    id: `${ctx.key}/${rule.name}`,
    action: rule.action ?? 'Allow',
    from: compileSource(rule.from, ctx.trustDomain),
    to: compileTarget(rule.to),
  };
}

/** A policy's authorization as IR. Without `spec.authorization` the default applies: deny, no rules. */
export function compileAuthorization(policy: ApiSecurityPolicy, ctx: CompileContext): AuthorizationIR {
  const authz = policy.spec.authorization;
  return {
    defaultAction: authz?.defaultAction ?? 'Deny',
    rules: sortById((authz?.rules ?? []).map((r) => compileRule(r, ctx))),
  };
}

/**
 * Authorization of several policies: every rule of every policy (sorted by id), default Deny if any policy's default
 * is Deny. Differing defaults are a conflict; Deny, the stricter, applies.
 */
export function mergeAuthorization(policies: readonly CompiledPolicy[]): Merged<AuthorizationIR> {
  const defaults = policies.map((p) => p.set.authorization.defaultAction);
  const defaultAction = defaults.includes('Deny') ? 'Deny' : 'Allow';
  const rules = sortById(policies.flatMap((p) => p.set.authorization.rules));
  const conflicts: Conflict[] = [];
  if (new Set(defaults).size > 1) {
    conflicts.push({
      path: ['spec', 'authorization', 'defaultAction'],
      entries: policies.map((p) => ({ policy: p.key, value: p.set.authorization.defaultAction })),
      outcome: stricterApplies(defaultAction),
    });
  }
  return { value: { defaultAction, rules }, conflicts };
}
