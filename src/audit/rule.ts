/** The shape of an audit rule, and helpers rules share to describe objects. */
import type { ApiSecurityPolicy } from '../api/v1alpha1/types.js';
import { POLICY_KIND } from '../api/group.js';
import type { Finding, FindingObject } from './finding.js';
import type { AuditInput } from './input.js';
import type { Severity } from './severity.js';

/** What a rule reports: a finding without the rule id and severity, which come from the rule itself. */
export type RuleHit = Omit<Finding, 'ruleId' | 'severity'>;

/** One audit rule. Rules are pure: they read the input and return hits, in any order. */
export interface AuditRule {
  /** Stable id, `ASP` and three digits; never reused for another meaning. */
  id: string;
  /** Severity of every finding of this rule. */
  severity: Severity;
  /** One line saying what the rule looks for. */
  title: string;
  /** Finds every occurrence in the input. */
  check: (input: AuditInput) => RuleHit[];
}

/** The finding object naming a policy. */
export function policyObject(policy: ApiSecurityPolicy): FindingObject {
  return { kind: POLICY_KIND, namespace: policy.metadata.namespace, name: policy.metadata.name };
}

/** Runs a per-policy check over every valid policy and concatenates the hits. */
export function eachPolicy(input: AuditInput, check: (policy: ApiSecurityPolicy) => RuleHit[]): RuleHit[] {
  return input.policies.flatMap(check);
}

/** Lists at most `max` names, then says how many more there are. */
export function nameList(names: readonly string[], max = 3): string {
  const shown = names.slice(0, max).join(', ');
  return names.length > max ? `${shown} and ${names.length - max} more` : shown;
}

/** Human text for the paths of a rule or limit; absent means every path. */
export function describePaths(paths: readonly string[] | undefined): string {
  return paths === undefined || paths.length === 0 ? 'every path' : paths.join(', ');
}
