/**
 * `node --expose-gc --max-old-space-size=6144 dist/bench/profile-rebuild.js [--workloads N] [--out file] [--edits N]`:
 * a CPU profile of exactly benchmark 1's measured full rebuild (a cluster no memo has seen, JIT warmed on one of the
 * same shape with other names), or with `--edits N` of N one-policy changes after it, written as a `.cpuprofile` for
 * Chrome DevTools or any profile viewer. The warm-up is not in the profile.
 */
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { parseArgs } from 'node:util';
import { SnapshotCache } from '../src/xds/cache/cache.js';
import { editPolicy, FULL_SIZE, generateCluster } from './lib/generate.js';
import { BenchPipeline } from './lib/pipeline.js';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { workloads: { type: 'string' }, out: { type: 'string' }, edits: { type: 'string' } },
  });
  const n = values.workloads === undefined ? undefined : Number(values.workloads);
  const size = n === undefined ? FULL_SIZE : { workloads: n, policies: n / 2, namespaces: Math.ceil(n / 40) };
  new BenchPipeline(new SnapshotCache()).fullRebuild(generateCluster({ ...size, prefix: 'warm' }));
  const snapshot = generateCluster(size);
  const edits = Number(values.edits ?? 0);
  const pipeline = new BenchPipeline(new SnapshotCache());
  if (edits > 0) pipeline.fullRebuild(snapshot);
  (globalThis as { gc?: () => void }).gc?.();
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 500 });
  await session.post('Profiler.start');
  let current = snapshot;
  const times =
    edits === 0
      ? pipeline.fullRebuild(snapshot)
      : Array.from({ length: edits }, (_, i) => {
          current = editPolicy(current, (i * 37) % size.policies, size, i + 1).snapshot;
          return pipeline.incrementalRebuild(current);
        }).reduce((a, b) => ({ ...b, total: a.total + b.total, ir: a.ir + b.ir, xds: a.xds + b.xds }));
  const { profile } = await session.post('Profiler.stop');
  const out = values.out ?? 'rebuild.cpuprofile';
  await writeFile(out, JSON.stringify(profile));
  console.log(
    `${edits === 0 ? 'full rebuild' : `${edits} one-policy changes`} ${times.total.toFixed(0)} ms (ir ${times.ir.toFixed(0)}, xds ${times.xds.toFixed(0)}, publish ${times.publish.toFixed(0)}); profile in ${out}`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
