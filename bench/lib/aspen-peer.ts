/**
 * aspen's side of the side-by-side benchmark, as a process of its own like the Go peer (bench/lib/go-peer.ts): the
 * same line protocol (`listening <port>`, then one snapshot file path per line on stdin → `ok <nodes>`), the same
 * snapshot file, the same certificate. Running both servers in child processes keeps the benchmark driver (which
 * records every client's ACKs) off both servers' event loops, so the two are measured alike. The snapshots are set
 * into a SnapshotCache as `aspen serve` publishes them (each distinct resource one Any object, shared by every node,
 * so interning and cached response encodings work as in production).
 */
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { ServerCredentials } from '@grpc/grpc-js';
import { Any } from '../../src/gen/google/protobuf/any.js';
import { SnapshotCache } from '../../src/xds/cache/cache.js';
import type { EncodedResource } from '../../src/xds/cache/snapshot.js';
import { AdsService } from '../../src/xds/server/ads.js';
import { fileModeAuthenticator } from '../../src/xds/server/file-auth.js';
import { XdsServer } from '../../src/xds/server/server.js';
import { silentLogger, systemClock } from '../../src/xds/server/types.js';

/** The peer snapshot file (see tools/cmd/xds-bench-peer), with each resource's name (the Go peer reads it from the bytes). */
interface PeerFile {
  resources: { typeUrl: string; value: string; name: string }[];
  nodes: { node: string; types: Record<string, { version: string; items: number[] }> }[];
}

/** Sets every node's snapshot from `file`; each type's version must come out as the file says (same content). */
async function load(cache: SnapshotCache, file: string): Promise<number> {
  const parsed = JSON.parse(await readFile(file, 'utf8')) as PeerFile;
  const resources = parsed.resources.map((r): EncodedResource => ({
    name: r.name,
    encoded: Any.fromPartial({ typeUrl: r.typeUrl, value: new Uint8Array(Buffer.from(r.value, 'base64')) }),
  }));
  for (const { node, types } of parsed.nodes) {
    const input: Record<string, EncodedResource[]> = {};
    for (const [typeUrl, { items }] of Object.entries(types))
      input[typeUrl] = items.map((i) => resources[i] as EncodedResource);
    const { snapshot } = cache.setSnapshot(node, input);
    for (const [typeUrl, { version }] of Object.entries(types)) {
      const served = snapshot.types.get(typeUrl)?.version;
      if (served !== version) throw new Error(`${node} ${typeUrl}: version ${served}, file says ${version}`);
    }
  }
  return parsed.nodes.length;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { cert: { type: 'string' }, key: { type: 'string' } } });
  const cert = await readFile(values.cert ?? '');
  const key = await readFile(values.key ?? '');
  const cache = new SnapshotCache();
  const ads = new AdsService({
    cache,
    authenticate: fileModeAuthenticator(),
    logger: silentLogger,
    clock: systemClock,
  });
  const xds = new XdsServer(ads, silentLogger);
  const creds = ServerCredentials.createSsl(null, [{ cert_chain: cert, private_key: key }], false);
  const port = await xds.listen('127.0.0.1:0', creds);
  console.log(`listening ${port}`);
  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) {
    try {
      console.log(`ok ${await load(cache, line.trim())}`);
    } catch (error) {
      console.log(`error: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  await xds.close(1000);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
