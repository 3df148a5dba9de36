/**
 * Builds the Go programs of `tools/cmd/<name>` (one module, `tools/go.mod`) that tests use as real peers, once per
 * test run, into `.cache/<name>`; rebuilt only when the binary is older than the program's Go sources, go.mod or
 * go.sum. See docs/testing.md.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);
const GO = 'go';

/** Where one program's sources and binary live. */
interface Layout {
  tools: string;
  source: string;
  binary: string;
}

/** The program's layout, from the nearest directory above this file holding `tools/go.mod` (the repository root). */
function layout(name: string): Layout {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'tools', 'go.mod'))) {
    const parent = path.dirname(dir);
    if (parent === dir)
      throw new Error(`${name}: cannot find tools/go.mod above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
  const tools = path.join(dir, 'tools');
  return { tools, source: path.join(tools, 'cmd', name), binary: path.join(dir, '.cache', name) };
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
  const times = await Promise.all(
    [...goFiles, path.join(l.tools, 'go.mod'), path.join(l.tools, 'go.sum')].map(mtime),
  );
  return times.some((t) => t !== undefined && t > built);
}

/** Rejects with a clear message when the Go toolchain is not on PATH (it is needed to build the test peers). */
export async function requireGo(): Promise<void> {
  try {
    await execFileAsync(GO, ['version']);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'is not on PATH' : `does not run (${String(err)})`;
    throw new Error(
      `the Go toolchain ("${GO}") ${why}. Go 1.26 or newer is needed to build the test peers in tools/cmd ` +
        '(Envoy’s own validators, go-control-plane): see docs/testing.md.',
      { cause: err },
    );
  }
}

/** Runs `go build` into a temporary file and renames it into place, so a concurrent run never sees half a binary. */
async function build(name: string, l: Layout): Promise<string> {
  if (!(await isStale(l))) return l.binary;
  await requireGo();
  await mkdir(path.dirname(l.binary), { recursive: true });
  const tmp = `${l.binary}.${process.pid}.tmp`;
  const pkg = `./cmd/${name}`;
  try {
    await execFileAsync(GO, ['build', '-buildvcs=false', '-o', tmp, pkg], {
      cwd: l.tools,
      maxBuffer: 16 * 1024 * 1024,
    });
    await rename(tmp, l.binary);
  } catch (err) {
    await rm(tmp, { force: true });
    const stderr = (err as { stderr?: string }).stderr ?? '';
    throw new Error(`${name}: go build ${pkg} in ${l.tools} failed: ${String(err)}\n${stderr}`, {
      cause: err,
    });
  }
  return l.binary;
}

const builds = new Map<string, Promise<string>>();

/**
 * Builds `tools/cmd/<name>` if needed (once per process; a first build downloads Go modules and compiles for a
 * minute or two) and returns the binary's path.
 */
export function buildGoProgram(name: string): Promise<string> {
  let building = builds.get(name);
  if (building === undefined) {
    building = build(name, layout(name));
    builds.set(name, building);
  }
  return building;
}
