/**
 * `npm run bench [-- --quick] [-- --only 1,2-5,6,7] [-- --workloads N] [-- --egress scoped|mesh]`: runs aspen's benchmarks (see docs/performance.md) and prints each
 * figure with its spread, then a summary table of figures, targets and whether each is met. `--quick` uses a small
 * cluster and few rounds (for regular use while changing code); the full run uses the sizes.
 */
import { parseArgs } from 'node:util';
import { egressLine, FULL_SIZE } from './lib/generate.js';
import type { ClusterSize } from './lib/generate.js';
import { machineLine } from './lib/stats.js';
import type { Result } from './lib/stats.js';
import { runServing } from './serving.js';
import { runSideBySide } from './side-by-side.js';
import { runTranslation } from './translation.js';
import { runWebhook } from './webhook.js';

const QUICK_SIZE: ClusterSize = { namespaces: 5, workloads: 100, policies: 50 };

/** The cluster size: `--workloads N` scales the mix (N/2 policies, N/40 namespaces). */
function sizeFor(quick: boolean, workloads: string | undefined): ClusterSize {
  if (workloads === undefined) return quick ? QUICK_SIZE : FULL_SIZE;
  const n = Number(workloads);
  if (!Number.isInteger(n) || n < 40)
    throw new Error(`--workloads must be an integer ≥ 40, got "${workloads}"`);
  return { workloads: n, policies: n / 2, namespaces: Math.ceil(n / 40) };
}

/** `--egress scoped|mesh` (default scoped): whether generated workloads scope their egress. */
function egressFor(egress: string | undefined): 'scoped' | 'mesh' {
  if (egress === undefined || egress === 'scoped' || egress === 'mesh') return egress ?? 'scoped';
  throw new Error(`--egress must be "scoped" or "mesh", got "${egress}"`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean' },
      only: { type: 'string' },
      workloads: { type: 'string' },
      egress: { type: 'string' },
    },
  });
  const quick = values.quick === true;
  const only = (values.only ?? '1,2-5,6,7').split(',');
  const size = { ...sizeFor(quick, values.workloads), egress: egressFor(values.egress) };
  console.log(machineLine());
  console.log(egressLine(size));
  console.log(
    `mode: ${quick ? 'quick' : 'full'}; expose-gc: ${typeof (globalThis as { gc?: unknown }).gc === 'function'}`,
  );
  printSummary(await runSelected(only, size, quick));
}

async function runSelected(only: readonly string[], size: ClusterSize, quick: boolean): Promise<Result[]> {
  const results: Result[] = [];
  // 6 first: it measures the webhooks beside one cluster's xDS state, as the controller holds it; after 1–5 the
  // process would also hold their other clusters' memos.
  if (only.includes('6'))
    results.push(...(await runWebhook(size, quick ? { rate: 200, seconds: 5 } : { rate: 200, seconds: 30 })));
  if (only.includes('1'))
    results.push(...runTranslation(size, quick ? { full: 1, incremental: 3 } : { full: 1, incremental: 5 }));
  if (only.includes('2-5'))
    results.push(...(await runServing(size, quick ? { changes: 3, storms: 1 } : { changes: 10, storms: 2 })));
  if (only.includes('7')) results.push(await runSideBySide(size, quick ? 1 : 3));
  return results;
}

function printSummary(results: readonly Result[]): void {
  console.log('\nsummary');
  console.log(machineLine());
  for (const r of results) {
    const met = r.met === undefined ? '–' : r.met ? 'met' : 'NOT met';
    console.log(`  ${r.bench.padEnd(44)} ${r.figure.padEnd(34)} target ${r.target.padEnd(10)} ${met}`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
