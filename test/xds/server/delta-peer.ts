// The reference xDS peer for differential protocol tests: go-control-plane's server (tools/cmd/xds-peer, module
// tools/go.mod) run as a child process on a loopback port. Built once per test run into `.cache/xds-peer` and rebuilt
// only when the binary is older than its Go sources, go.mod or go.sum (the pattern of test/tools/envoy-validate.ts).
import { execFile, spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { SnapshotInput } from '../../../src/xds/cache/index.js';
import { requireGo } from '../../tools/envoy-validate.js';

const execFileAsync = promisify(execFile);
const PACKAGE = './cmd/xds-peer';
/** How long the peer may take to start listening or to answer a command. */
const PEER_TIMEOUT_MS = 10_000;

interface Layout {
  tools: string;
  source: string;
  binary: string;
}

function layout(): Layout {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'tools', 'go.mod'))) {
    const parent = path.dirname(dir);
    if (parent === dir)
      throw new Error('xds-peer: cannot find tools/go.mod above ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
  const tools = path.join(dir, 'tools');
  return { tools, source: path.join(tools, 'cmd', 'xds-peer'), binary: path.join(dir, '.cache', 'xds-peer') };
}

async function mtime(file: string): Promise<number | undefined> {
  return stat(file).then(
    (s) => s.mtimeMs,
    () => undefined,
  );
}

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

async function build(l: Layout): Promise<string> {
  if (!(await isStale(l))) return l.binary;
  await requireGo();
  await mkdir(path.dirname(l.binary), { recursive: true });
  const tmp = `${l.binary}.${process.pid}.tmp`;
  try {
    await execFileAsync('go', ['build', '-buildvcs=false', '-o', tmp, PACKAGE], {
      cwd: l.tools,
      maxBuffer: 16 * 1024 * 1024,
    });
    await rename(tmp, l.binary);
  } catch (err) {
    await rm(tmp, { force: true });
    const stderr = (err as { stderr?: string }).stderr ?? '';
    throw new Error(`xds-peer: go build ${PACKAGE} failed: ${String(err)}\n${stderr}`, { cause: err });
  }
  return l.binary;
}

let building: Promise<string> | undefined;

/** Builds the peer if needed (once per process; a first build downloads modules) and returns the binary's path. */
export function buildXdsPeer(): Promise<string> {
  building ??= build(layout());
  return building;
}

/** A running go-control-plane server. */
export class XdsPeer {
  /** `127.0.0.1:<port>`. */
  address = '';
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly lines: string[] = [];
  private waiter: ((line: string) => void) | undefined;
  private version = 0;

  private constructor(child: ChildProcessWithoutNullStreams) {
    this.child = child;
    createInterface({ input: child.stdout }).on('line', (line) => {
      const waiter = this.waiter;
      this.waiter = undefined;
      if (waiter !== undefined) waiter(line);
      else this.lines.push(line);
    });
  }

  /** Builds (if needed) and starts the peer on a free loopback port. */
  static async start(): Promise<XdsPeer> {
    const binary = await buildXdsPeer();
    const child = spawn(binary, ['-listen', '127.0.0.1:0'], { stdio: ['pipe', 'pipe', 'pipe'] });
    child.stderr.resume(); // go-control-plane logs nothing without a logger; keep the pipe drained regardless
    const peer = new XdsPeer(child);
    const first = await peer.line();
    const match = /^listening (\d+)$/.exec(first);
    if (match === null) throw new Error(`xds-peer: unexpected first line: ${first}`);
    peer.address = `127.0.0.1:${match[1]}`;
    return peer;
  }

  /** Sets the snapshot of a proxy key (node.cluster): the same encoded resources aspen serves. */
  async setSnapshot(proxyKey: string, input: SnapshotInput): Promise<void> {
    this.version += 1;
    const resources: Record<string, { typeUrl: string; value: string }[]> = {};
    for (const [typeUrl, list] of Object.entries(input)) {
      resources[typeUrl] = list.map((r) => ({
        typeUrl: r.encoded.typeUrl,
        value: Buffer.from(r.encoded.value).toString('base64'),
      }));
    }
    this.child.stdin.write(
      JSON.stringify({ node: proxyKey, version: String(this.version), resources }) + '\n',
    );
    const answer = await this.line();
    if (answer !== 'ok') throw new Error(`xds-peer: ${answer}`);
  }

  /** Stops the peer (it exits when stdin closes) and waits for it, bounded. */
  async stop(): Promise<void> {
    const exited = new Promise<void>((resolve) => {
      if (this.child.exitCode !== null) resolve();
      else this.child.once('exit', () => resolve());
    });
    this.child.stdin.end();
    const timer = setTimeout(() => this.child.kill(), PEER_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  }

  private line(): Promise<string> {
    const queued = this.lines.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('xds-peer: no answer in time')), PEER_TIMEOUT_MS);
      this.waiter = (line): void => {
        clearTimeout(timer);
        resolve(line);
      };
    });
  }
}
