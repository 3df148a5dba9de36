/**
 * Benchmarks 2–5, serving: simulated proxies (child processes of ADS clients, one TLS connection each) connected to
 * aspen's xDS server in this process. 2: one policy change → every affected proxy ACKed; 3: all proxies reconnect at
 * once; 4: memory per connected proxy; 5: a fresh controller process (rebuild from nothing) with every proxy
 * reconnecting, against the time it takes to build and encode everything once.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { caToPem } from '../src/ca/pem.js';
import type { CaState } from '../src/ca/types.js';
import { SnapshotCache } from '../src/xds/cache/cache.js';
import { benchCa, cacheExpectation, clientSpecs, startAspen, targetOf } from './lib/aspen-server.js';
import type { AspenServer } from './lib/aspen-server.js';
import { Fleet } from './lib/fleet.js';
import type { ClusterSize } from './lib/generate.js';
import { editPolicy, generateCluster } from './lib/generate.js';
import { BenchPipeline } from './lib/pipeline.js';
import { formatSpread, quantile, spread } from './lib/stats.js';
import type { Result } from './lib/stats.js';

/** How many rounds each figure takes. */
export interface ServingRuns {
  changes: number;
  storms: number;
}

const now = (): number => performance.timeOrigin + performance.now();

/** Heap, external and array-buffer bytes of this process after a full GC (needs --expose-gc, else no GC). */
function retainedBytes(): number {
  (globalThis as { gc?: () => void }).gc?.();
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}

const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

/** Samples RSS until stopped; returns the peak. */
function rssSampler(): () => number {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 100);
  return () => {
    clearInterval(timer);
    return Math.max(peak, process.memoryUsage().rss);
  };
}

interface Context {
  size: ClusterSize;
  pipeline: BenchPipeline;
  cache: SnapshotCache;
  server: AspenServer;
  fleet: Fleet;
  ca: CaState;
}

async function convergence(ctx: Context, runs: ServingRuns): Promise<Result> {
  const latencies: number[] = [];
  const perRound: number[] = [];
  let snapshot = generateCluster(ctx.size);
  for (let i = 0; i < runs.changes; i += 1) {
    snapshot = editPolicy(snapshot, (i * 53 + 11) % ctx.size.policies, ctx.size, i + 1).snapshot;
    const t0 = now();
    const rebuilt = ctx.pipeline.incrementalRebuild(snapshot);
    const affected = rebuilt.changedKeys.map((key) => ctx.fleet.clients.findIndex((c) => c.cluster === key));
    const times = await ctx.fleet.waitConverged(
      cacheExpectation(ctx.cache, ctx.fleet.clients),
      30_000,
      affected,
    );
    const round = times.map((t) => t - t0);
    latencies.push(...round);
    perRound.push(Math.max(...round));
  }
  const p99 = quantile(latencies, 0.99);
  console.log(
    `  [2] one policy change → every affected proxy ACKed: p99 ${p99.toFixed(0)} ms over ${latencies.length} proxy updates`,
  );
  console.log(
    `      slowest proxy per change: ${formatSpread(spread(perRound))}; median proxy ${quantile(latencies, 0.5).toFixed(0)} ms`,
  );
  return {
    bench: '2 convergence, p99',
    figure: `${p99.toFixed(0)} ms`,
    target: '≤ 1000 ms',
    met: p99 <= 1000,
  };
}

async function storm(ctx: Context, runs: ServingRuns): Promise<Result> {
  const durations: number[] = [];
  let peak = 0;
  const before = process.memoryUsage().rss;
  for (let i = 0; i < runs.storms; i += 1) {
    ctx.fleet.resetAcks();
    const stopSampling = rssSampler();
    const t0 = now();
    ctx.fleet.reconnectAll();
    const times = await ctx.fleet.waitConverged(cacheExpectation(ctx.cache, ctx.fleet.clients), 300_000);
    durations.push(Math.max(...times) - t0);
    peak = Math.max(peak, stopSampling());
  }
  const s = spread(durations);
  console.log(
    `  [3] reconnect storm (${ctx.fleet.clients.length} at once) → all converged: ${formatSpread(s)}`,
  );
  console.log(
    `      server RSS before ${mib(before)}, peak during storms ${mib(peak)}, after ${mib(process.memoryUsage().rss)}`,
  );
  return {
    bench: '3 reconnect storm',
    figure: `${(s.median / 1000).toFixed(1)} s, peak RSS ${mib(peak)}`,
    target: '≤ 60 s',
    met: s.median <= 60_000,
  };
}

/**
 * Benchmark 4: retained memory with every proxy connected, minus the same after every proxy disconnected (the
 * snapshots and the encodings cached for them stay), per proxy; the clients then reconnect.
 */
async function memoryPerProxy(ctx: Context, idle: number): Promise<Result> {
  const count = ctx.fleet.clients.length;
  const connected = retainedBytes();
  ctx.fleet.disconnectAll();
  const deadline = Date.now() + 60_000;
  while (ctx.server.ads.streamCount() > 0 && Date.now() < deadline) await delay(100);
  const disconnected = retainedBytes();
  const perProxy = (connected - disconnected) / count;
  const kib = (n: number): string => `${(n / 1024).toFixed(1)} KiB`;
  console.log(
    `  [4] memory per connected proxy (heap + external after GC, connected − disconnected): ${kib(perProxy)}; ` +
      `snapshots ${mib(idle)}, with cached response encodings ${mib(disconnected)}`,
  );
  ctx.fleet.resetAcks();
  ctx.fleet.reconnectAll();
  await ctx.fleet.waitConverged(cacheExpectation(ctx.cache, ctx.fleet.clients), 300_000);
  const met = perProxy <= 100_000;
  return { bench: '4 memory per proxy', figure: kib(perProxy), target: '≤ 100 KB', met };
}

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs benchmarks 2–5 and returns their result lines. */
export async function runServing(size: ClusterSize, runs: ServingRuns): Promise<Result[]> {
  console.log(
    `\n[2–5] serving: ${size.workloads} proxies over TLS (2 client processes), ${size.policies} policies`,
  );
  const snapshot = generateCluster(size);
  const cache = new SnapshotCache();
  const pipeline = new BenchPipeline(cache);
  pipeline.fullRebuild(snapshot);
  pipeline.incrementalRebuild(snapshot);
  const { ca, caPem } = await benchCa();
  const server = await startAspen(cache, ca);
  const idle = retainedBytes();
  const t0 = now();
  const clients = clientSpecs(cache);
  const fleet = new Fleet(clients, targetOf(server.port, caPem));
  const ctx: Context = { size, pipeline, cache, server, fleet, ca };
  try {
    const first = await fleet.waitConverged(cacheExpectation(cache, clients), 300_000);
    console.log(
      `      first connection of all ${clients.length} proxies → converged in ${((Math.max(...first) - t0) / 1000).toFixed(1)} s`,
    );
    const memory = await memoryPerProxy(ctx, idle);
    const results = [await convergence(ctx, runs), await storm(ctx, runs), memory];
    results.push(await cold(ctx));
    return results;
  } finally {
    await fleet.stop();
    await ctx.server.close();
  }
}

/**
 * Benchmark 5: the server is replaced by a fresh controller in a new process (bench/lib/aspen-cold.ts: cold JIT, empty
 * memos) that builds everything from nothing and serves on the same port, while every proxy retries. From spawning it
 * until every proxy has its configuration, against the floor: the build alone in that fresh process.
 */
async function cold(ctx: Context): Promise<Result> {
  const port = ctx.server.port;
  await ctx.server.close();
  ctx.server = { ...ctx.server, close: (): Promise<void> => Promise.resolve() };
  ctx.fleet.resetAcks();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'aspen-cold-'));
  const caFile = path.join(dir, 'ca.json');
  const pem = await caToPem(ctx.ca.active);
  const caJson = { certificatePem: pem.certificatePem, privateKeyPem: pem.privateKeyPem.reveal() };
  await writeFile(caFile, JSON.stringify(caJson), { mode: 0o600 });
  // What the fresh controller will serve: the generated cluster as it was before benchmark 2's edits.
  const expected = new SnapshotCache();
  new BenchPipeline(expected).fullRebuild(generateCluster(ctx.size));
  const script = fileURLToPath(new URL('./lib/aspen-cold.js', import.meta.url));
  const args = [script, '--size', JSON.stringify(ctx.size), '--ca', caFile, '--port', String(port)];
  const t0 = now();
  const child = spawn(process.execPath, ['--max-old-space-size=6144', ...args], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  try {
    const floor = await builtTime(child);
    const times = await ctx.fleet.waitConverged(cacheExpectation(expected, ctx.fleet.clients), 300_000);
    const total = Math.max(...times) - t0;
    const ratio = total / floor;
    console.log(
      `  [5] cold start (fresh process): every proxy has its config ${(total / 1000).toFixed(1)} s after spawning it; building and encoding everything once there (the floor) ${(floor / 1000).toFixed(1)} s; ratio ${ratio.toFixed(2)}`,
    );
    return {
      bench: '5 cold start / floor',
      figure: `${ratio.toFixed(2)}× (${(total / 1000).toFixed(1)} s / ${(floor / 1000).toFixed(1)} s)`,
      target: '≤ 2×',
      met: ratio <= 2,
    };
  } finally {
    const exited =
      child.exitCode === null
        ? new Promise<void>((resolve) => child.once('exit', () => resolve()))
        : Promise.resolve();
    child.stdin?.end();
    await exited;
    await rm(dir, { recursive: true, force: true });
  }
}

/** The build time the fresh controller prints (`built <ms>`). */
function builtTime(child: ChildProcess): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    if (child.stdout === null) return reject(new Error('fresh controller has no stdout'));
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (line.startsWith('built ')) resolve(Number(line.slice(6)));
    });
    child.once('exit', (code) => reject(new Error(`fresh controller exited (${code})`)));
  });
}
