/**
 * What a sidecar decided about a request, from its access-log entry (ACCESS_LOG_CONTRACT): the enforcing RBAC
 * filters' results, the API-key check's refusal (UAEX), rate limiting (RL, with the global limit's rule from the
 * rate-limit service's metadata), JWT failures, and, when the request went through, what Audit-mode rules, request
 * validation, API-key checks and limits would have done. Pure.
 */
import { ACCESS_LOG_CONTRACT, AUDIT_API_KEY_CHECK, rbacResultKey, rbacRuleKey } from '../../api/contracts.js';
import type { RbacEngineName } from '../../api/contracts.js';
import type { HTTPAccessLogEntry } from '../../gen/envoy/data/accesslog/v3/accesslog.js';

/** The decision recorded for a request. */
export type Decision = 'allow' | 'deny' | 'rate-limited' | 'audit-would-deny';

/** The decision, with what caused it. */
export interface DecisionInfo {
  /** allow / deny / rate-limited / audit-would-deny. */
  decision: Decision;
  /** Why (for denials and would-denials): e.g. `rbac-deny`, `rbac-no-allow`, `api-key`, `jwt`, `rate-limit`. */
  reason?: string;
  /** The rule id (`<namespace>/<policy>/<rule>`) that decided, when known. */
  rule?: string;
  /** `<namespace>/<policy>` of that rule. */
  policy?: string;
}

type Fields = Record<string, unknown>;

function namespaceOf(entry: HTTPAccessLogEntry, namespace: string): Fields {
  const value = entry.commonProperties?.metadata?.filterMetadata[namespace];
  return value ?? {};
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** `<namespace>/<policy>` of a rule id `<namespace>/<policy>/<rule>`. */
export function policyOfRule(rule: string | undefined): string | undefined {
  if (rule === undefined) return undefined;
  const parts = rule.split('/');
  return parts.length >= 3 ? `${parts[0]}/${parts[1]}` : undefined;
}

function withRule(decision: Decision, reason: string | undefined, rule: string | undefined): DecisionInfo {
  const policy = policyOfRule(rule);
  return {
    decision,
    ...(reason === undefined ? {} : { reason }),
    ...(rule === undefined ? {} : { rule }),
    ...(policy === undefined ? {} : { policy }),
  };
}

function rbac(
  entry: HTTPAccessLogEntry,
  engine: RbacEngineName,
): { denied: boolean; rule: string | undefined } {
  const fields = namespaceOf(entry, ACCESS_LOG_CONTRACT.rbacNamespace);
  return {
    denied: fields[rbacResultKey(engine)] === ACCESS_LOG_CONTRACT.denied,
    rule: text(fields[rbacRuleKey(engine)]),
  };
}

function rbacDecision(entry: HTTPAccessLogEntry): DecisionInfo | undefined {
  const deny = rbac(entry, 'deny');
  if (deny.denied) return withRule('deny', 'rbac-deny', deny.rule);
  if (rbac(entry, 'allow').denied) return withRule('deny', 'rbac-no-allow', undefined);
  return undefined;
}

function flagDecision(entry: HTTPAccessLogEntry): DecisionInfo | undefined {
  const flags = entry.commonProperties?.responseFlags;
  if (flags === undefined) return undefined;
  if (flags.unauthorizedDetails !== undefined) return withRule('deny', 'api-key', undefined);
  if (flags.rateLimited) {
    const limited = namespaceOf(entry, ACCESS_LOG_CONTRACT.rateLimitNamespace);
    return withRule('rate-limited', 'rate-limit', text(limited['rule']));
  }
  // A failed rate-limit call refuses the request (500) only for Closed limits; Open ones let it through.
  if (flags.rateLimitServiceError && entry.response?.responseCode === 500) {
    return withRule('deny', 'rate-limit-service-error', undefined);
  }
  return undefined;
}

function detailsDecision(entry: HTTPAccessLogEntry): DecisionInfo | undefined {
  const details = entry.response?.responseCodeDetails ?? '';
  if (details.startsWith('jwt_')) return withRule('deny', 'jwt', undefined);
  if (details.startsWith('rbac_access_denied')) return withRule('deny', 'rbac', undefined);
  return undefined;
}

function enforcedDecision(entry: HTTPAccessLogEntry): DecisionInfo | undefined {
  return rbacDecision(entry) ?? flagDecision(entry) ?? detailsDecision(entry);
}

function auditDecision(entry: HTTPAccessLogEntry): DecisionInfo | undefined {
  for (const [engine, reason] of [
    ['auditDeny', 'audit-rbac-deny'],
    ['auditAllow', 'audit-rbac-no-allow'],
    ['auditValidation', 'audit-validation'],
  ] as const) {
    const result = rbac(entry, engine);
    if (result.denied)
      return withRule('audit-would-deny', reason, engine === 'auditAllow' ? undefined : result.rule);
  }
  const headers = entry.request?.requestHeaders ?? {};
  if (headers[AUDIT_API_KEY_CHECK.deniedHeader] !== undefined) {
    return withRule('audit-would-deny', 'audit-api-key', undefined);
  }
  const limited = text(headers[ACCESS_LOG_CONTRACT.auditRateLimitedHeader]);
  if (limited !== undefined) return withRule('audit-would-deny', 'audit-rate-limit', limited.split(',')[0]);
  return undefined;
}

/** The decision on one request. */
export function decisionOf(entry: HTTPAccessLogEntry): DecisionInfo {
  const enforced = enforcedDecision(entry);
  if (enforced !== undefined) return enforced;
  const audit = auditDecision(entry);
  if (audit !== undefined) return audit;
  return withRule('allow', undefined, rbac(entry, 'allow').rule ?? rbac(entry, 'deny').rule);
}
