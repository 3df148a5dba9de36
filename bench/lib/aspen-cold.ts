/**
 * Benchmark 5's fresh controller: a new process (cold JIT, every memo empty) that builds the generated cluster from
 * nothing with the production pipeline, then serves it on the given port, as a restarted `aspen serve` or controller
 * replica does. It prints `built <ms>` (the floor: building and encoding everything once, in this fresh process) and
 * `listening <port>`, and exits when its stdin closes. The parent measures from spawning it until every proxy has
 * its configuration.
 *
 * Usage: node aspen-cold.js --size '<ClusterSize JSON>' --ca '<file with {certificatePem, privateKeyPem}>' --port N
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { caFromPem } from '../../src/ca/pem.js';
import { newCaState } from '../../src/ca/state.js';
import { SnapshotCache } from '../../src/xds/cache/cache.js';
import { startAspen } from './aspen-server.js';
import type { ClusterSize } from './generate.js';
import { generateCluster } from './generate.js';
import { BenchPipeline } from './pipeline.js';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { size: { type: 'string' }, ca: { type: 'string' }, port: { type: 'string' } },
  });
  const size = JSON.parse(values.size ?? '{}') as ClusterSize;
  const pem = JSON.parse(await readFile(values.ca ?? '', 'utf8')) as {
    certificatePem: string;
    privateKeyPem: string;
  };
  const signer = await caFromPem(pem.certificatePem, pem.privateKeyPem);
  if (!signer.ok) throw new Error(signer.error.message);
  const snapshot = generateCluster(size); // what a fresh controller would have listed
  const cache = new SnapshotCache();
  const built = new BenchPipeline(cache).fullRebuild(snapshot).total;
  const server = await startAspen(cache, newCaState(signer.value), Number(values.port));
  console.log(`built ${built.toFixed(0)}`);
  console.log(`listening ${server.port}`);
  process.stdin.resume();
  await new Promise<void>((resolve) => process.stdin.once('end', () => resolve()));
  await server.close();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
