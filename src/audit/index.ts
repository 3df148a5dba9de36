/** `aspen audit`: security findings over a snapshot and what the translator made of it. */
export type { AuditInput } from './input.js';
export { SEVERITIES, type Severity, parseSeverity, severityRank } from './severity.js';
export {
  type Finding,
  type FindingObject,
  type SeveritySummary,
  atOrAbove,
  compareFindings,
  summarize,
} from './finding.js';
export type { AuditRule, RuleHit } from './rule.js';
export { AUDIT_RULES, runAuditRules } from './registry.js';
export { type FindingsDocument, formatFindingsJson } from './format-json.js';
export { formatFindingsTable } from './format-table.js';
