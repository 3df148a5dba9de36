/**
 * The go-control-plane side of the side-by-side benchmark: writes aspen's snapshots in the peer's file format (each
 * distinct encoded resource once, nodes referring to them by index, aspen's per-type versions) and runs
 * `tools/cmd/xds-bench-peer` with the same serving certificate.
 */
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { Any } from '../../src/gen/google/protobuf/any.js';
import type { SnapshotCache } from '../../src/xds/cache/cache.js';
import { buildGoProgram } from '../../test/tools/go-build.js';

/** Writes every snapshot of `cache` to `path` in the peer's format (see the Go program's doc comment). */
export async function writePeerSnapshots(cache: SnapshotCache, path: string): Promise<void> {
  const index = new Map<Any, number>();
  const resources: { typeUrl: string; value: string }[] = [];
  const nodes = cache.proxyKeys().map((node) => {
    const types: Record<string, { version: string; items: number[] }> = {};
    for (const [typeUrl, type] of cache.getSnapshot(node)?.types ?? []) {
      const items = type.resources.map(({ encoded }) => {
        let i = index.get(encoded);
        if (i === undefined) {
          i = resources.length;
          index.set(encoded, i);
          resources.push({ typeUrl: encoded.typeUrl, value: Buffer.from(encoded.value).toString('base64') });
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
  stop(): void;
}

/** Builds (when stale) and starts the peer on a loopback port with the given certificate and key files. */
export async function startGoPeer(certFile: string, keyFile: string): Promise<GoPeer> {
  const binary = await buildGoProgram('xds-bench-peer');
  const child: ChildProcessWithoutNullStreams = spawn(binary, ['-cert', certFile, '-key', keyFile]);
  child.stderr.on('data', (chunk: Buffer) => process.stderr.write(`xds-bench-peer: ${chunk.toString()}`));
  const lines = createInterface({ input: child.stdout });
  const waiting: ((line: string) => void)[] = [];
  lines.on('line', (line) => waiting.shift()?.(line));
  const next = (): Promise<string> => new Promise((resolve) => waiting.push(resolve));
  const first = await next();
  const match = /^listening (\d+)$/.exec(first);
  if (match === null) throw new Error(`xds-bench-peer: ${first}`);
  return {
    port: Number(match[1]),
    load: async (path: string): Promise<number> => {
      const answer = next();
      child.stdin.write(`${path}\n`);
      const line = await answer;
      if (!line.startsWith('ok ')) throw new Error(`xds-bench-peer: ${line}`);
      return Number(line.slice(3));
    },
    stop: (): void => {
      child.stdin.end();
      child.kill();
    },
  };
}
