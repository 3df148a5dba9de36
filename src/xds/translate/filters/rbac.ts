/**
 * Authorization: Envoy RBAC filters from the port's rules.
 *
 * Enforce set, in chain order (after the Audit filters, so Audit sees every request, even those Enforce denies):
 * - `aspen.rbac.fail_closed`: an ALLOW filter with no policies (denies everything) when a covering Enforce policy
 *   could not be translated (PortIR.failClosed);
 * - `aspen.rbac.deny`: action DENY with every Deny rule, first, so a matching Deny always wins;
 * - `aspen.rbac.allow`: action ALLOW with every Allow rule, only when `defaultAction` is Deny (with no Allow rules
 *   it denies everything). With `defaultAction: Allow`, Allow rules change nothing and are left out, so a port
 *   covered only by Audit policies (allow-all, no rules) gets no enforcing RBAC at all.
 * Audit set: the same two filters holding `shadow_rules` only (`aspen.rbac.audit_deny`, `aspen.rbac.audit_allow`),
 * which Envoy evaluates, counts and records in dynamic metadata but never enforces. Their shadow stat prefixes
 * (AUDIT_DENY_STAT_PREFIX, AUDIT_ALLOW_STAT_PREFIX) prefix the metadata keys under `envoy.filters.http.rbac`
 * (`<prefix>shadow_effective_policy_id`, `<prefix>shadow_engine_result`) that access logging reads.
 * Audit rules naming `apiKeyClients` match the client the Audit-mode API-key check found (AUDIT_API_KEY_CLIENT_HEADER)
 * when Audit policies configure API keys, else the enforcing check's client header, as JWT claims do.
 */
import { RBAC as RbacConfig, RBAC_Action } from '../../../gen/envoy/config/rbac/v3/rbac.js';
import type { DeepPartial, Policy } from '../../../gen/envoy/config/rbac/v3/rbac.js';
import { RBAC } from '../../../gen/envoy/extensions/filters/http/rbac/v3/rbac.js';
import { HttpFilter } from '../../../gen/envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.js';
import type { PolicySetIR, RuleIR } from '../../../ir/index.js';
import {
  ACCESS_LOG_CONTRACT,
  API_KEY_CLIENT_HEADER,
  AUDIT_API_KEY_CLIENT_HEADER,
} from '../../../api/contracts.js';
import { packAny } from '../../proto/any.js';
import { AUDIT_PAYLOAD_KEY, ENFORCE_PAYLOAD_KEY } from './jwt-providers.js';
import type { FilterOutput, HttpFilterModule, ModuleContext, PortPolicies } from './module.js';
import type { PermissionInit, PrincipalInit } from './rbac-matchers.js';
import {
  andPermissions,
  andPrincipals,
  anyPrincipal,
  apiKeyClientPrincipals,
  ipBlockPrincipals,
  jwtClaimPrincipal,
  methodsPermission,
  pathsPermission,
  spiffePrincipals,
} from './rbac-matchers.js';

/** Stat (and metadata key) prefix of the enforcing Deny filter. */
export const DENY_STAT_PREFIX = ACCESS_LOG_CONTRACT.engines.deny.prefix;
/** Stat (and metadata key) prefix of the enforcing Allow filter. */
export const ALLOW_STAT_PREFIX = ACCESS_LOG_CONTRACT.engines.allow.prefix;
/** Shadow stat (and metadata key) prefix of the Audit Deny filter. */
export const AUDIT_DENY_STAT_PREFIX = ACCESS_LOG_CONTRACT.engines.auditDeny.prefix;
/** Shadow stat (and metadata key) prefix of the Audit Allow filter. */
export const AUDIT_ALLOW_STAT_PREFIX = ACCESS_LOG_CONTRACT.engines.auditAllow.prefix;

/** The permission of a rule: AND of its `to` conditions (methods, paths). */
export function rulePermission(rule: RuleIR): PermissionInit {
  const parts: PermissionInit[] = [];
  if (rule.to.methods !== undefined) parts.push(methodsPermission(rule.to.methods));
  if (rule.to.paths !== undefined) parts.push(pathsPermission(rule.to.paths));
  return andPermissions(parts);
}

/**
 * The principal of a rule: AND of its `from` conditions; JWT claims are read under `payloadKey`, API-key clients from
 * `clientHeader`.
 */
export function rulePrincipal(
  rule: RuleIR,
  payloadKey: string,
  clientHeader: string = API_KEY_CLIENT_HEADER,
): PrincipalInit {
  const { principals, ipBlocks, jwtClaims, apiKeyClients } = rule.from;
  const parts: PrincipalInit[] = [];
  if (principals !== undefined) parts.push(spiffePrincipals(principals));
  if (ipBlocks !== undefined) parts.push(ipBlockPrincipals(ipBlocks));
  for (const claim of jwtClaims ?? []) parts.push(jwtClaimPrincipal(payloadKey, claim));
  if (apiKeyClients !== undefined) parts.push(apiKeyClientPrincipals(apiKeyClients, clientHeader));
  return parts.length === 0 ? anyPrincipal() : andPrincipals(parts);
}

/** One Envoy policy per rule, keyed by rule id (see rulePrincipal for `payloadKey` and `clientHeader`). */
export function rulePolicies(
  rules: RuleIR[],
  payloadKey: string,
  clientHeader: string = API_KEY_CLIENT_HEADER,
): Record<string, DeepPartial<Policy>> {
  const policies: Record<string, DeepPartial<Policy>> = {};
  for (const rule of rules) {
    policies[rule.id] = {
      permissions: [rulePermission(rule)],
      principals: [rulePrincipal(rule, payloadKey, clientHeader)],
    };
  }
  return policies;
}

/** An RBAC HTTP filter with the given name. */
function rbacFilter(name: string, config: RBAC): HttpFilter {
  return HttpFilter.fromPartial({ name, configType: { $case: 'typedConfig', value: packAny(config) } });
}

/** The rules of one action, in id order. */
function rulesOf(set: PolicySetIR, action: RuleIR['action']): RuleIR[] {
  return set.authorization.rules.filter((r) => r.action === action);
}

/** The enforcing filters of a port: fail closed, Deny, Allow (each only when needed). */
export function enforceFilters(port: PortPolicies): HttpFilter[] {
  const set = port.enforce;
  const filters: HttpFilter[] = [];
  if (port.failClosed.length > 0) {
    const rules = RbacConfig.fromPartial({ action: RBAC_Action.ALLOW, policies: {} });
    filters.push(
      rbacFilter(
        'aspen.rbac.fail_closed',
        RBAC.fromPartial({ rules, rulesStatPrefix: 'aspen_fail_closed_' }),
      ),
    );
  }
  const deny = rulesOf(set, 'Deny');
  if (deny.length > 0) {
    const rules = RbacConfig.fromPartial({
      action: RBAC_Action.DENY,
      policies: rulePolicies(deny, ENFORCE_PAYLOAD_KEY),
    });
    filters.push(
      rbacFilter('aspen.rbac.deny', RBAC.fromPartial({ rules, rulesStatPrefix: DENY_STAT_PREFIX })),
    );
  }
  if (set.authorization.defaultAction === 'Deny') {
    const policies = rulePolicies(rulesOf(set, 'Allow'), ENFORCE_PAYLOAD_KEY);
    const rules = RbacConfig.fromPartial({ action: RBAC_Action.ALLOW, policies });
    filters.push(
      rbacFilter('aspen.rbac.allow', RBAC.fromPartial({ rules, rulesStatPrefix: ALLOW_STAT_PREFIX })),
    );
  }
  return filters;
}

/** The Audit filters of a port: shadow Deny, shadow Allow (each only when needed); they never block. */
export function auditFilters(port: PortPolicies): HttpFilter[] {
  const set = port.audit;
  if (set === undefined) return [];
  const payloadKey = set.jwt === undefined ? ENFORCE_PAYLOAD_KEY : AUDIT_PAYLOAD_KEY;
  const clientHeader = set.apiKeys === undefined ? API_KEY_CLIENT_HEADER : AUDIT_API_KEY_CLIENT_HEADER;
  const filters: HttpFilter[] = [];
  const deny = rulesOf(set, 'Deny');
  if (deny.length > 0) {
    const shadowRules = RbacConfig.fromPartial({
      action: RBAC_Action.DENY,
      policies: rulePolicies(deny, payloadKey, clientHeader),
    });
    filters.push(
      rbacFilter(
        'aspen.rbac.audit_deny',
        RBAC.fromPartial({ shadowRules, shadowRulesStatPrefix: AUDIT_DENY_STAT_PREFIX }),
      ),
    );
  }
  if (set.authorization.defaultAction === 'Deny') {
    const policies = rulePolicies(rulesOf(set, 'Allow'), payloadKey, clientHeader);
    const shadowRules = RbacConfig.fromPartial({ action: RBAC_Action.ALLOW, policies });
    filters.push(
      rbacFilter(
        'aspen.rbac.audit_allow',
        RBAC.fromPartial({ shadowRules, shadowRulesStatPrefix: AUDIT_ALLOW_STAT_PREFIX }),
      ),
    );
  }
  return filters;
}

/** The RBAC module: Audit shadow filters, then the enforcing ones. */
export const rbacFilters: HttpFilterModule = {
  id: 'rbac',
  build(ctx: ModuleContext): FilterOutput {
    return { httpFilters: [...auditFilters(ctx.port), ...enforceFilters(ctx.port)], clusters: [] };
  },
};
