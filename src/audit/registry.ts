/** The one table of audit rules, and the function that runs them. */
import { compareFindings, type Finding } from './finding.js';
import type { AuditInput } from './input.js';
import type { AuditRule } from './rule.js';
import { apiKeyInQuery, jwtTokenInQuery, jwtWithoutAudience } from './rules/authn.js';
import { defaultAllow, publicWriteMethods } from './rules/authz.js';
import { workloadUnselected, workloadUnselectedOpen } from './rules/coverage.js';
import { auditMode, openapiNotEnforced } from './rules/enforcement.js';
import { unauthenticatedWithoutRateLimit } from './rules/rate-limit.js';
import { policyConflicted, policyRejected } from './rules/status.js';
import { segmentationUnion } from './rules/segmentation-union.js';
import { mtlsDisabled, mtlsPermissive, segmentationEmpty } from './rules/transport.js';

/**
 * Every audit rule, by id. Adding a rule means adding it here (nothing registers itself) and to
 * docs/audit-rules.md; a test checks that the two agree.
 */
export const AUDIT_RULES: readonly AuditRule[] = [
  workloadUnselected,
  workloadUnselectedOpen,
  policyRejected,
  policyConflicted,
  mtlsPermissive,
  mtlsDisabled,
  defaultAllow,
  publicWriteMethods,
  unauthenticatedWithoutRateLimit,
  jwtWithoutAudience,
  jwtTokenInQuery,
  apiKeyInQuery,
  auditMode,
  openapiNotEnforced,
  segmentationEmpty,
  segmentationUnion,
];

/** Runs every rule; findings sorted most severe first, then by object, then rule id. */
export function runAuditRules(input: AuditInput): Finding[] {
  const findings = AUDIT_RULES.flatMap((rule) =>
    rule.check(input).map((hit): Finding => ({ ruleId: rule.id, severity: rule.severity, ...hit })),
  );
  return findings.sort(compareFindings);
}
