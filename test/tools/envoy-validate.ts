/**
 * Test helper: checks Envoy resources with Envoy's own PGV-generated validators.
 *
 * The checker is the Go program `tools/cmd/envoy-validate` (module `tools/go.mod`, built on
 * `github.com/envoyproxy/go-control-plane/envoy`). It is built once per test run into
 * `.cache/envoy-validate`, and rebuilt only when the binary is older than its Go sources,
 * `go.mod` or `go.sum`. See docs/testing.md.
 */
import { spawn } from 'node:child_process';
import { buildGoProgram, requireGo } from './go-build.js';

/** One resource's verdict: one line of envoy-validate's output. */
export interface EnvoyValidation {
  /** Position of the resource in the input array. */
  index: number;
  /** The resource's `@type` as given (a type URL), or `""` when it had none. */
  type: string;
  /** The resource's `name` (or `cluster_name`), when it has one. */
  name?: string;
  /** True when the resource parsed strictly and passed every PGV rule, inside every Any too. */
  ok: boolean;
  /** One entry per violation (`Listener.Address.SocketAddress.PortValue: value must be …`), or one parse error. */
  errors?: string[];
  /** Deprecated fields or enum values in use; never affects `ok`. */
  warnings?: string[];
}

/**
 * Builds the checker if needed (once per process; the first build downloads Go modules and
 * compiles for a minute or two) and returns the binary's path.
 */
export function buildEnvoyValidate(): Promise<string> {
  return buildGoProgram('envoy-validate');
}

export { requireGo };

/** Output of one run of the binary. */
export interface RunOutput {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the binary with `input` on stdin (no shell). */
function runBinary(binary: string, input: string): Promise<RunOutput> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, [], { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.stdin.on('error', () => undefined); // an early exit is reported through the exit code
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({
        code,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      }),
    );
    child.stdin.end(input);
  });
}

/** Narrows one parsed output line. */
function isValidation(v: unknown): v is EnvoyValidation {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  return typeof r.index === 'number' && typeof r.type === 'string' && typeof r.ok === 'boolean';
}

/** Parses the JSON lines the binary prints, one per resource. */
function parseOutput(stdout: string, expected: number): EnvoyValidation[] {
  const lines = stdout.split('\n').filter((line) => line.trim() !== '');
  const results = lines.map((line): EnvoyValidation => {
    const parsed: unknown = JSON.parse(line);
    if (!isValidation(parsed)) throw new Error(`envoy-validate: unexpected output line: ${line}`);
    return parsed;
  });
  if (results.length !== expected) {
    throw new Error(`envoy-validate: ${expected} resources in, ${results.length} results out`);
  }
  return results;
}

/** Builds the checker if needed and runs it on raw stdin text: for tests of the checker itself. */
export async function runEnvoyValidate(input: string): Promise<RunOutput> {
  return runBinary(await buildEnvoyValidate(), input);
}

/**
 * Checks each resource (proto3 canonical JSON with `@type` at the top level and on every
 * Any) with Envoy's own validators: strict parsing (unknown fields and unknown types are
 * errors) and `ValidateAll()` on the resource and on the content of every Any. Resolves to
 * one verdict per resource, in order; rejects when Go is missing, the build fails, or the
 * checker reports bad input.
 */
export async function validateWithEnvoy(resources: object[]): Promise<EnvoyValidation[]> {
  const { code, stdout, stderr } = await runEnvoyValidate(JSON.stringify(resources));
  if (code !== 0 && code !== 1) {
    throw new Error(`envoy-validate exited with ${String(code)}: ${stderr}`);
  }
  return parseOutput(stdout, resources.length);
}
