/**
 * The go-control-plane side of the side-by-side benchmark: writes aspen's snapshots in the peer's file format (each
 * distinct encoded resource once, nodes referring to them by index, aspen's per-type versions) and runs
 * `tools/cmd/xds-bench-peer` with the same serving certificate.
 */
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Any } from '../../src/gen/google/protobuf/any.js';
import type { SnapshotCache } from '../../src/xds/cache/cache.js';
import { buildGoProgram } from '../../test/tools/go-build.js';

/** Writes every snapshot of `cache` to `path` in the peer's format (see the Go program's doc comment). */
export async function writePeerSnapshots(cache: SnapshotCache, path: string): Promise<void> {
  const index = new Map<Any, number>();
  const resources: { typeUrl: string; value: string; name: string }[] = [];
  const nodes = cache.proxyKeys().map((node) => {
    const types: Record<string, { version: string; items: number[] }> = {};
    for (const [typeUrl, type] of cache.getSnapshot(node)?.types ?? []) {
      const items = type.resources.map(({ name, encoded }) => {
        let i = index.get(encoded);
        if (i === undefined) {
          i = resources.length;
          index.set(encoded, i);
          const value = Buffer.from(encoded.value).toString('base64');
          resources.push({ typeUrl: encoded.typeUrl, value, name });
        }
        return i;
      });
      types[typeUrl] = { version: type.version, items };
    }
    return { node, types };
  });
  await writeFile(path, JSON.stringify({ resources, nodes }), { mode: 0o600 });
}

/** A running peer. */
export interface GoPeer {
  port: number;
  /** Loads a snapshot file; resolves with the number of nodes set. */
  load(path: string): Promise<number>;
  /** Closes its stdin (it exits, writing any profile) and waits; kills it after 5 s. */
  stop(): Promise<void>;
}

/** Builds (when stale) and starts the peer on a loopback port with the given certificate and key files. */
export async function startGoPeer(certFile: string, keyFile: string): Promise<GoPeer> {
  const binary = await buildGoProgram('xds-bench-peer');
  return startLinePeer('xds-bench-peer', binary, ['-cert', certFile, '-key', keyFile]);
}

/**
 * aspen's xDS server in a process of its own (bench/lib/aspen-peer.ts), speaking the Go peer's line protocol, with
 * the same certificate; run with the benchmark's own Node and flags.
 */
export async function startAspenPeer(certFile: string, keyFile: string): Promise<GoPeer> {
  const script = fileURLToPath(new URL('./aspen-peer.js', import.meta.url));
  // ASPEN_BENCH_PEER_NODE_OPTIONS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof": Node flags for profiling this process.
  const flags = (process.env.ASPEN_BENCH_PEER_NODE_OPTIONS ?? '').split(' ').filter((f) => f !== '');
  return startLinePeer('aspen-peer', process.execPath, [
    ...flags,
    script,
    '--cert',
    certFile,
    '--key',
    keyFile,
  ]);
}

/** Starts a peer process speaking the line protocol of tools/cmd/xds-bench-peer. */
async function startLinePeer(name: string, command: string, args: string[]): Promise<GoPeer> {
  const child: ChildProcessWithoutNullStreams = spawn(command, args);
  child.stderr.on('data', (chunk: Buffer) => process.stderr.write(`${name}: ${chunk.toString()}`));
  const lines = createInterface({ input: child.stdout });
  const waiting: ((line: string) => void)[] = [];
  lines.on('line', (line) => waiting.shift()?.(line));
  const next = (): Promise<string> => new Promise((resolve) => waiting.push(resolve));
  const first = await next();
  const match = /^listening (\d+)$/.exec(first);
  if (match === null) throw new Error(`${name}: ${first}`);
  return {
    port: Number(match[1]),
    load: async (path: string): Promise<number> => {
      const answer = next();
      child.stdin.write(`${path}\n`);
      const line = await answer;
      if (!line.startsWith('ok ')) throw new Error(`${name}: ${line}`);
      return Number(line.slice(3));
    },
    stop: async (): Promise<void> => {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      const timer = setTimeout(() => child.kill(), 5000);
      child.stdin.end();
      await exited;
      clearTimeout(timer);
    },
  };
}
