/** Machine-readable output of `aspen audit -o json`. */
import { type Finding, type SeveritySummary, summarize } from './finding.js';

/** The JSON document `aspen audit -o json` prints. */
export interface FindingsDocument {
  /** Findings in the order given (runAuditRules sorts them). */
  findings: Finding[];
  /** Count per severity, every severity present, most severe first. */
  summary: SeveritySummary;
}

/** Copies a finding with its keys in a fixed order, so output is stable whatever built it. */
function canonical(f: Finding): Finding {
  return {
    ruleId: f.ruleId,
    severity: f.severity,
    object: { kind: f.object.kind, namespace: f.object.namespace, name: f.object.name },
    ...(f.field === undefined ? {} : { field: f.field }),
    message: f.message,
    hint: f.hint,
  };
}

/** `{"findings":[...],"summary":{"critical":n,"high":n,...}}`, indented, with a final newline. */
export function formatFindingsJson(findings: readonly Finding[]): string {
  const doc: FindingsDocument = { findings: findings.map(canonical), summary: summarize(findings) };
  return `${JSON.stringify(doc, null, 2)}\n`;
}
