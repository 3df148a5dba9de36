/** Severities of audit findings, ordered from least to most severe. */

/** Every severity, least severe first. */
export const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const;

/** How much a finding matters: info < low < medium < high < critical. */
export type Severity = (typeof SEVERITIES)[number];

/** Position of a severity in SEVERITIES: 0 for info, 4 for critical. */
export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

/** Parses a severity name as typed on a command line (case-insensitive, surrounding blanks ignored). */
export function parseSeverity(text: string): Severity | undefined {
  const wanted = text.trim().toLowerCase();
  return SEVERITIES.find((s) => s === wanted);
}
