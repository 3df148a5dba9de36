/** Audit findings: what was found, where, how bad, and how to fix it. */
import { type Severity, severityRank } from './severity.js';

/** The Kubernetes object a finding is about. */
export interface FindingObject {
  /** Kind, e.g. `ApiSecurityPolicy` or `Deployment`. */
  kind: string;
  /** Namespace. */
  namespace: string;
  /** Name. */
  name: string;
}

/** One security finding. */
export interface Finding {
  /** Stable rule id, e.g. `ASP007`; never reused for another meaning. */
  ruleId: string;
  /** How much it matters; fixed per rule. */
  severity: Severity;
  /** The object to change. */
  object: FindingObject;
  /** Dotted field path inside the object, with list indexes (`spec.jwt.providers[0].audiences`), when one applies. */
  field?: string;
  /** What is wrong, for a human. */
  message: string;
  /** How to fix it. */
  hint: string;
}

function compareText(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

function compareObjects(a: FindingObject, b: FindingObject): number {
  return compareText(a.namespace, b.namespace) || compareText(a.name, b.name) || compareText(a.kind, b.kind);
}

/** Order of findings: most severe first, then by object (namespace, name, kind), rule id, field and message. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    severityRank(b.severity) - severityRank(a.severity) ||
    compareObjects(a.object, b.object) ||
    compareText(a.ruleId, b.ruleId) ||
    compareText(a.field ?? '', b.field ?? '') ||
    compareText(a.message, b.message)
  );
}

/** The findings at or above a severity threshold, in their original order. */
export function atOrAbove(findings: readonly Finding[], threshold: Severity): Finding[] {
  const min = severityRank(threshold);
  return findings.filter((f) => severityRank(f.severity) >= min);
}

/** Number of findings per severity, most severe first; every severity is present. */
export type SeveritySummary = Record<Severity, number>;

/** Counts findings per severity. */
export function summarize(findings: readonly Finding[]): SeveritySummary {
  const summary: SeveritySummary = { critical: 0, high: 0, medium: 0, low: 0, info: 0 };
  for (const f of findings) summary[f.severity] += 1;
  return summary;
}
