/**
 * Benchmark 7, side by side: the same snapshots (aspen's encoded resources and per-type versions) served to the same
 * simulated clients, over TLS with the same serving certificate, by go-control-plane v0.14.0 (the Go peer) and by
 * aspen, alternately in one run. Figure: time from "every client reconnects" until every client has ACKed its whole
 * configuration. Ratio = go-control-plane's time / aspen's time (≥ 1: aspen at least as fast). Both servers run in
 * processes of their own and load the same snapshot file (bench/lib/aspen-peer.ts), so neither shares its event loop
 * or cores' share with the driver that records the clients' ACKs.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { issueServingCert } from '../src/xds/sds/serving.js';
import { SnapshotCache } from '../src/xds/cache/cache.js';
import { benchCa, cacheExpectation, clientSpecs, targetOf } from './lib/aspen-server.js';
import { Fleet } from './lib/fleet.js';
import type { Expectation } from './lib/fleet.js';
import type { ClusterSize } from './lib/generate.js';
import { generateCluster } from './lib/generate.js';
import { startAspenPeer, startGoPeer, writePeerSnapshots } from './lib/go-peer.js';
import { BenchPipeline } from './lib/pipeline.js';
import { formatSpread, spread } from './lib/stats.js';
import type { Result } from './lib/stats.js';

const now = (): number => performance.timeOrigin + performance.now();

/** Reconnects every client to each server in turn, `rounds` times; per server, the times until all converged. */
async function alternate(
  fleet: Fleet,
  ports: { aspen: number; go: number },
  run: { rounds: number; caPem: string; expect: Expectation },
): Promise<Record<'go' | 'aspen', number[]>> {
  const times: Record<'go' | 'aspen', number[]> = { go: [], aspen: [] };
  for (let i = 0; i < run.rounds; i += 1) {
    for (const name of ['aspen', 'go'] as const) {
      fleet.resetAcks();
      const t0 = now();
      fleet.retarget(targetOf(ports[name], run.caPem));
      const done = (await fleet.waitConverged(run.expect, 300_000)).map((t) => t - t0).sort((a, b) => a - b);
      const at = (q: number): string => (done[Math.floor(q * (done.length - 1))] ?? 0).toFixed(0);
      console.log(
        `    ${name.padEnd(5)} round ${i + 1}: clients configured p50 ${at(0.5)} ms, p90 ${at(0.9)} ms, last ${at(1)} ms`,
      );
      times[name].push(done[done.length - 1] ?? 0);
    }
  }
  return times;
}

/** Runs benchmark 7 and returns its result line. */
export async function runSideBySide(size: ClusterSize, rounds: number): Promise<Result> {
  console.log(
    `\n[7] side by side with go-control-plane v0.14.0: ${size.workloads} proxies, ${size.policies} policies, ${rounds} rounds each`,
  );
  const cache = new SnapshotCache();
  new BenchPipeline(cache).fullRebuild(generateCluster(size));
  const dir = await mkdtemp(path.join(os.tmpdir(), 'aspen-bench-'));
  const { ca, caPem } = await benchCa();
  const issued = await issueServingCert(ca, { dnsNames: ['localhost'] }, () => new Date());
  if (!issued.ok) throw new Error(issued.error.message);
  const cert = issued.value.certificatePem;
  const key = issued.value.privateKeyPem.reveal();
  await writeFile(path.join(dir, 'cert.pem'), cert, { mode: 0o600 });
  await writeFile(path.join(dir, 'key.pem'), key, { mode: 0o600 });
  await writePeerSnapshots(cache, path.join(dir, 'snapshots.json'));
  const peer = await startGoPeer(path.join(dir, 'cert.pem'), path.join(dir, 'key.pem'));
  const aspen = await startAspenPeer(path.join(dir, 'cert.pem'), path.join(dir, 'key.pem'));
  const clients = clientSpecs(cache);
  const expect = cacheExpectation(cache, clients);
  try {
    await peer.load(path.join(dir, 'snapshots.json'));
    await aspen.load(path.join(dir, 'snapshots.json'));
    const fleet = new Fleet(clients, targetOf(peer.port, caPem));
    try {
      await fleet.waitConverged(expect, 300_000); // warm-up: processes started, connections made once
      const times = await alternate(fleet, { aspen: aspen.port, go: peer.port }, { rounds, caPem, expect });
      const go = spread(times.go);
      const ours = spread(times.aspen);
      const ratio = go.median / ours.median;
      console.log(`  go-control-plane: every client configured in ${formatSpread(go)}`);
      console.log(`  aspen:            every client configured in ${formatSpread(ours)}`);
      console.log(`  ratio go-control-plane / aspen: ${ratio.toFixed(2)}`);
      return {
        bench: '7 side by side (go-control-plane / aspen)',
        figure: `${ratio.toFixed(2)} (${(go.median / 1000).toFixed(1)} s / ${(ours.median / 1000).toFixed(1)} s)`,
        target: '≥ 1.0',
        met: ratio >= 1,
      };
    } finally {
      await fleet.stop();
    }
  } finally {
    await Promise.all([peer.stop(), aspen.stop()]);
    await rm(dir, { recursive: true, force: true });
  }
}
