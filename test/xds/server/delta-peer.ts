// The reference xDS peer for differential protocol tests: go-control-plane's server (tools/cmd/xds-peer, module
// tools/go.mod) run as a child process on a loopback port. Built once per test run into `.cache/xds-peer` and rebuilt
// only when the binary is older than its Go sources, go.mod or go.sum (the pattern of test/tools/envoy-validate.ts).
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { SnapshotInput } from '../../../src/xds/cache/index.js';
import { buildGoProgram } from '../../tools/go-build.js';

/** How long the peer may take to start listening or to answer a command. */
const PEER_TIMEOUT_MS = 10_000;

/** Builds the peer if needed (once per process; a first build downloads modules) and returns the binary's path. */
export function buildXdsPeer(): Promise<string> {
  return buildGoProgram('xds-peer');
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
