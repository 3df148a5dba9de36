/** Human-readable output of `aspen audit`: aligned columns, the fix hint under each finding, a summary line. */
import { type Finding, summarize } from './finding.js';
import { SEVERITIES } from './severity.js';

const HEADER = ['SEVERITY', 'RULE', 'OBJECT', 'FIELD', 'MESSAGE'] as const;
const GAP = '  ';

function cells(f: Finding): string[] {
  const { kind, namespace, name } = f.object;
  return [f.severity, f.ruleId, `${kind} ${namespace}/${name}`, f.field ?? '-', f.message];
}

/** Width of each column but the last (which is never padded). */
function widths(rows: readonly string[][]): number[] {
  return HEADER.slice(0, -1).map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
}

function line(row: readonly string[], width: readonly number[]): string {
  return row.map((cell, i) => cell.padEnd(width[i] ?? 0)).join(GAP);
}

/** `3 findings: 0 critical, 1 high, 2 medium, 0 low, 0 info`. */
function summaryLine(findings: readonly Finding[]): string {
  const summary = summarize(findings);
  const counts = [...SEVERITIES].reverse().map((s) => `${summary[s]} ${s}`);
  const noun = findings.length === 1 ? 'finding' : 'findings';
  return `${findings.length} ${noun}: ${counts.join(', ')}`;
}

/**
 * A table with the columns SEVERITY, RULE, OBJECT, FIELD and MESSAGE, each finding followed by its hint on the
 * next line, and a final summary line; `no findings` when there are none. Ends with a newline.
 */
export function formatFindingsTable(findings: readonly Finding[]): string {
  if (findings.length === 0) return 'no findings\n';
  const rows = findings.map(cells);
  const width = widths([[...HEADER], ...rows]);
  const indent = ' '.repeat((width[0] ?? 0) + GAP.length);
  const out = [line(HEADER, width).trimEnd()];
  findings.forEach((f, i) => {
    out.push(line(rows[i] ?? [], width).trimEnd(), `${indent}hint: ${f.hint}`);
  });
  out.push(summaryLine(findings));
  return `${out.join('\n')}\n`;
}
