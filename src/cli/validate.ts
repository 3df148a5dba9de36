/** `aspen validate <path>...`: check ApiSecurityPolicies in files offline, one line per problem. */
import { API_GROUP } from '../api/group.js';
import { readManifests, type Manifest } from '../provider/file/manifests.js';
import { formatPath } from '../translate/problem.js';
import { validatePolicy } from '../translate/validate/index.js';
import { ExitCode, type CliIO } from './io.js';

/** Options of `aspen validate`. */
export interface ValidateOptions {
  /** Namespace for objects without one. */
  namespace: string;
}

/** True for objects of the aspen.dev group, whatever their version or kind (the validator judges those). */
export function isAspenObject(object: Record<string, unknown>): boolean {
  return typeof object.apiVersion === 'string' && object.apiVersion.startsWith(`${API_GROUP}/`);
}

/** An output line and where it points. */
interface Located {
  file: string;
  line: number;
  text: string;
}

/** Sorts lines by file, then line. */
function sortByLocation(lines: Located[]): Located[] {
  return lines.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line));
}

/** The problems of one aspen object, as `<file>:<line>: <Kind> <ns>/<name>: <field.path>: <message>` lines. */
function problemLines(manifest: Manifest, defaultNamespace: string): Located[] {
  const { object } = manifest;
  const metadata = (object.metadata ?? {}) as Record<string, unknown>;
  const namespace = typeof metadata.namespace === 'string' ? metadata.namespace : defaultNamespace;
  const name = typeof metadata.name === 'string' ? metadata.name : '<unnamed>';
  const kind = typeof object.kind === 'string' ? object.kind : '<no kind>';
  const result = validatePolicy(object, { namespace });
  const file = manifest.source.file;
  return result.problems.map((p) => {
    const line = manifest.lineOf(p.path);
    return {
      file,
      line,
      text: `${file}:${line}: ${kind} ${namespace}/${name}: ${formatPath(p.path)}: ${p.message}`,
    };
  });
}

/** Runs `aspen validate`; returns the exit code. */
export async function runValidate(paths: string[], options: ValidateOptions, io: CliIO): Promise<number> {
  const read = await readManifests(paths, { readStdin: io.readStdin });
  if (read.usageErrors.length > 0) {
    for (const message of read.usageErrors) io.stderr(`aspen validate: ${message}\n`);
    return ExitCode.Usage;
  }
  const located: Located[] = read.errors.map((e) => ({ ...e, text: `${e.file}:${e.line}: ${e.message}` }));
  const policies = read.manifests.filter((m) => isAspenObject(m.object));
  for (const manifest of policies) located.push(...problemLines(manifest, options.namespace));
  const lines = sortByLocation(located).map((l) => l.text);
  for (const line of lines) io.stderr(`${line}\n`);
  const files = new Set([...read.manifests.map((m) => m.source.file), ...read.errors.map((e) => e.file)])
    .size;
  io.stderr(
    `aspen validate: ${policies.length} aspen object(s) in ${files} file(s): ` +
      `${lines.length === 0 ? 'no problems' : `${lines.length} problem(s)`}\n`,
  );
  return lines.length === 0 ? ExitCode.Ok : ExitCode.Problems;
}
