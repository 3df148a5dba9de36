/**
 * Benchmark 1, translation: a full rebuild (validation, IR, Envoy translation, check, encoding, publishing) of the
 * generated cluster, then one-policy edits rebuilt incrementally (only the proxies whose IR changed). Single-threaded:
 * it runs on one core.
 */
import { SnapshotCache } from '../src/xds/cache/cache.js';
import type { ClusterSize } from './lib/generate.js';
import { editPolicy, generateCluster } from './lib/generate.js';
import { BenchPipeline } from './lib/pipeline.js';
import type { RebuildTimes } from './lib/pipeline.js';
import { formatSpread, spread } from './lib/stats.js';
import type { Result } from './lib/stats.js';

/** How many times each figure is measured. */
export interface TranslationRuns {
  full: number;
  incremental: number;
}

function line(label: string, times: RebuildTimes[]): void {
  const part = (k: 'total' | 'ir' | 'xds' | 'publish'): string =>
    formatSpread(spread(times.map((t) => t[k])));
  console.log(`  ${label}: total ${part('total')}`);
  console.log(`    ir ${part('ir')} · xds ${part('xds')} · publish ${part('publish')}`);
  const last = times.at(-1);
  if (last !== undefined)
    console.log(`    proxies rebuilt ${last.rebuilt}, snapshots changed ${last.changed}`);
}

/** Runs benchmark 1 and returns its result lines. */
export function runTranslation(shape: ClusterSize, runs: TranslationRuns): Result[] {
  // A cluster of this shape that no other benchmark of the process builds (its own namespace names), so no memo has
  // seen it before its measured full rebuild.
  const size = { ...shape, prefix: 'bench1' };
  console.log(
    `\n[1] translation: ${size.policies} policies over ${size.workloads} workloads in ${size.namespaces} namespaces`,
  );
  const snapshot = generateCluster(size);
  const first = new BenchPipeline(new SnapshotCache()).fullRebuild(
    generateCluster({ ...size, prefix: 'warm' }),
  );
  console.log(
    `  first full rebuild of the process (cold JIT, on a cluster of the same shape, other names): ${first.total.toFixed(0)} ms`,
  );
  const full: RebuildTimes[] = [];
  for (let i = 0; i < runs.full; i += 1) {
    const cluster = i === 0 ? snapshot : generateCluster({ ...size, prefix: `cold${i}` });
    full.push(new BenchPipeline(new SnapshotCache()).fullRebuild(cluster));
  }
  line('full rebuild (warm JIT; no memo holds anything of this cluster)', full);
  const pipeline = new BenchPipeline(new SnapshotCache());
  const again = pipeline.fullRebuild(snapshot);
  console.log(
    `  full rebuild of the same cluster again (memos warm, as a relist or a restarted stream costs): ${again.total.toFixed(0)} ms`,
  );
  const incremental: RebuildTimes[] = [];
  let current = snapshot;
  for (let i = 0; i < runs.incremental; i += 1) {
    current = editPolicy(current, (i * 37) % size.policies, size, i + 1).snapshot;
    incremental.push(pipeline.incrementalRebuild(current));
  }
  line('one-policy change', incremental);
  const fullMs = spread(full.map((t) => t.total)).median;
  const incMs = spread(incremental.map((t) => t.total)).median;
  return [
    {
      bench: '1 translation, full rebuild',
      figure: `${fullMs.toFixed(0)} ms`,
      target: '≤ 1000 ms',
      met: fullMs <= 1000,
    },
    {
      bench: '1 translation, one-policy change',
      figure: `${incMs.toFixed(0)} ms`,
      target: '≤ 50 ms',
      met: incMs <= 50,
    },
  ];
}
