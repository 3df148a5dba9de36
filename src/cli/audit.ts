/** `aspen audit <path>...`: security findings for a directory of manifests, offline. */
import {
  atOrAbove,
  formatFindingsJson,
  formatFindingsTable,
  parseSeverity,
  runAuditRules,
  SEVERITIES,
  type Severity,
} from '../audit/index.js';
import { readManifests } from '../provider/file/manifests.js';
import { buildSnapshot } from '../provider/file/snapshot.js';
import { translate } from '../translate/translate.js';
import { ExitCode, type CliIO } from './io.js';

/** Options of `aspen audit`. */
export interface AuditOptions {
  /** Lowest severity that makes the command exit 1. */
  failOn: string;
  /** `table` or `json`; default table on a terminal, JSON otherwise. */
  output?: string;
  /** Namespace for objects without one. */
  namespace: string;
  /** Trust domain of workload identities. */
  trustDomain: string;
}

/** Runs `aspen audit`; returns the exit code. */
export async function runAudit(paths: string[], options: AuditOptions, io: CliIO): Promise<number> {
  const threshold = parseSeverity(options.failOn);
  const output = options.output ?? (io.stdoutIsTTY ? 'table' : 'json');
  if (threshold === undefined) return usage(io, `--fail-on must be one of: ${SEVERITIES.join(', ')}`);
  if (output !== 'table' && output !== 'json') return usage(io, '-o must be table or json');
  return audit(paths, { ...options, output, threshold }, io);
}

async function audit(
  paths: string[],
  options: AuditOptions & { output: 'table' | 'json'; threshold: Severity },
  io: CliIO,
): Promise<number> {
  const { output, threshold } = options;
  const read = await readManifests(paths, { readStdin: io.readStdin });
  if (read.usageErrors.length > 0) return usage(io, ...read.usageErrors);
  const { snapshot, problems } = buildSnapshot(read.manifests, { defaultNamespace: options.namespace });
  const loadErrors = [...read.errors, ...problems];
  for (const e of loadErrors) io.stderr(`${e.file}:${e.line}: ${e.message}\n`);
  const findings = runAuditRules({ snapshot, ...translate(snapshot, { trustDomain: options.trustDomain }) });
  io.stdout(output === 'json' ? formatFindingsJson(findings) : formatFindingsTable(findings));
  const failing = atOrAbove(findings, threshold).length;
  if (loadErrors.length > 0) {
    // Files that could not be read were not audited: never report success for them.
    io.stderr(`aspen audit: ${loadErrors.length} input problem(s): the audit is incomplete\n`);
    return ExitCode.Problems;
  }
  return failing > 0 ? ExitCode.Problems : ExitCode.Ok;
}

function usage(io: CliIO, ...messages: string[]): number {
  for (const message of messages) io.stderr(`aspen audit: ${message}\n`);
  return ExitCode.Usage;
}
