/**
 * `node --expose-gc --max-old-space-size=6144 dist/bench/profile-rebuild.js [--workloads N] [--out file]`: a CPU
 * profile of exactly benchmark 1's measured full rebuild (a cluster no memo has seen, JIT warmed on one of the same
 * shape with other names), written as a `.cpuprofile` for Chrome DevTools or any profile viewer. The warm-up is not
 * in the profile.
 */
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { parseArgs } from 'node:util';
import { SnapshotCache } from '../src/xds/cache/cache.js';
import { FULL_SIZE, generateCluster } from './lib/generate.js';
import { BenchPipeline } from './lib/pipeline.js';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { workloads: { type: 'string' }, out: { type: 'string' } } });
  const n = values.workloads === undefined ? undefined : Number(values.workloads);
  const size = n === undefined ? FULL_SIZE : { workloads: n, policies: n / 2, namespaces: Math.ceil(n / 40) };
  new BenchPipeline(new SnapshotCache()).fullRebuild(generateCluster({ ...size, prefix: 'warm' }));
  const snapshot = generateCluster(size);
  (globalThis as { gc?: () => void }).gc?.();
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 500 });
  await session.post('Profiler.start');
  const times = new BenchPipeline(new SnapshotCache()).fullRebuild(snapshot);
  const { profile } = await session.post('Profiler.stop');
  const out = values.out ?? 'rebuild.cpuprofile';
  await writeFile(out, JSON.stringify(profile));
  console.log(
    `full rebuild ${times.total.toFixed(0)} ms (ir ${times.ir.toFixed(0)}, xds ${times.xds.toFixed(0)}, publish ${times.publish.toFixed(0)}); profile in ${out}`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
