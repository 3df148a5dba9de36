/**
 * Test helper: checks Envoy resources with Envoy's own PGV-generated validators.
 *
 * The checker is the Go program `tools/cmd/envoy-validate` (module `tools/go.mod`, built on
 * `github.com/envoyproxy/go-control-plane/envoy`). It is built once per test run into
 * `.cache/envoy-validate`, and rebuilt only when the binary is older than its Go sources,
 * `go.mod` or `go.sum`. See docs/testing.md.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

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

const GO = 'go';
const PACKAGE = './cmd/envoy-validate';

/** Where the Go module and the binary cache live, found from this file upwards. */
interface Layout {
  tools: string;
  source: string;
  binary: string;
}

/** The nearest directory above this file holding `tools/go.mod`: the repository root. */
function layout(): Layout {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'tools', 'go.mod'))) {
    const parent = path.dirname(dir);
    if (parent === dir) {
      throw new Error('envoy-validate: cannot find tools/go.mod above ' + fileURLToPath(import.meta.url));
    }
    dir = parent;
  }
  const tools = path.join(dir, 'tools');
  return {
    tools,
    source: path.join(tools, 'cmd', 'envoy-validate'),
    binary: path.join(dir, '.cache', 'envoy-validate'),
  };
}

/** Modification time in ms, or undefined when the file does not exist. */
async function mtime(file: string): Promise<number | undefined> {
  try {
    return (await stat(file)).mtimeMs;
  } catch {
    return undefined;
  }
}

/** True when the binary is missing or older than any Go source, go.mod or go.sum. */
async function isStale(l: Layout): Promise<boolean> {
  const built = await mtime(l.binary);
  if (built === undefined) return true;
  const goFiles = (await readdir(l.source))
    .filter((f) => f.endsWith('.go'))
    .map((f) => path.join(l.source, f));
  const inputs = [...goFiles, path.join(l.tools, 'go.mod'), path.join(l.tools, 'go.sum')];
  const times = await Promise.all(inputs.map(mtime));
  return times.some((t) => t !== undefined && t > built);
}

/** Rejects with a clear message when the Go toolchain is not on PATH (it is needed to build the checker). */
export async function requireGo(): Promise<void> {
  try {
    await execFileAsync(GO, ['version']);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'is not on PATH' : `does not run (${String(err)})`;
    throw new Error(
      `envoy-validate: the Go toolchain ("${GO}") ${why}. Go 1.26 or newer is needed to build ` +
        'tools/cmd/envoy-validate, which checks rendered Envoy resources (see docs/testing.md).',
      { cause: err },
    );
  }
}

/** Runs `go build` into a temporary file and renames it into place, so a concurrent run never sees half a binary. */
async function build(l: Layout): Promise<string> {
  if (!(await isStale(l))) return l.binary;
  await requireGo();
  await mkdir(path.dirname(l.binary), { recursive: true });
  const tmp = `${l.binary}.${process.pid}.tmp`;
  try {
    await execFileAsync(GO, ['build', '-buildvcs=false', '-o', tmp, PACKAGE], {
      cwd: l.tools,
      maxBuffer: 16 * 1024 * 1024,
    });
    await rename(tmp, l.binary);
  } catch (err) {
    await rm(tmp, { force: true });
    const stderr = (err as { stderr?: string }).stderr ?? '';
    throw new Error(`envoy-validate: go build ${PACKAGE} in ${l.tools} failed: ${String(err)}\n${stderr}`, {
      cause: err,
    });
  }
  return l.binary;
}

let building: Promise<string> | undefined;

/**
 * Builds the checker if needed (once per process; the first build downloads Go modules and
 * compiles for a minute or two) and returns the binary's path.
 */
export function buildEnvoyValidate(): Promise<string> {
  building ??= build(layout());
  return building;
}

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
