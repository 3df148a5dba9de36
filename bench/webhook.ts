/**
 * Benchmark 6, the admission webhooks: aspen's webhook HTTPS server started as `aspen controller` starts it
 * (`startWebhooks`: injection and validation handlers, a serving certificate issued by aspen's own webhook CA,
 * metrics, namespace labels from the namespace store, the controller's current snapshot for validation in context),
 * fed with the generated cluster. A child process calls it like the kube-apiserver would (HTTPS keep-alive over a
 * few connections, AdmissionReview v1) at a constant arrival rate, open loop: latency counts from each request's due
 * time. Injection of realistic pods, then validation of a mix of policy edits, new policies and invalid ones.
 */
import { fork } from 'node:child_process';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Registry } from 'prom-client';
import { namespaceLabelsFrom } from '../src/controller/webhooks-extension.js';
import type { RawObject } from '../src/provider/kubernetes/transport.js';
import type { ResourceSnapshot } from '../src/provider/snapshot.js';
import { startWebhooks } from '../src/webhook/index.js';
import type { Webhooks } from '../src/webhook/index.js';
import type { ClusterSize } from './lib/generate.js';
import { generateCluster } from './lib/generate.js';
import { machineLine, quantile } from './lib/stats.js';
import type { Result } from './lib/stats.js';
import { SnapshotCache } from '../src/xds/cache/cache.js';
import { BenchPipeline } from './lib/pipeline.js';
import { injectionRequests, validationRequests } from './lib/webhook-inputs.js';
import { MemoryClient } from '../test/webhook/memory-client.js';
import type { LoadCommand, LoadReport, LoadRequest } from './lib/webhook-load.js';

/** Rate and duration of each phase. */
export interface WebhookRuns {
  /** Requests per second. */
  rate: number;
  /** Seconds per phase. */
  seconds: number;
}

const NAMESPACE = 'aspen-system';
const SERVER_NAME = `aspen.${NAMESPACE}.svc`;
const CONNECTIONS = 4;
const TARGET_MS = 10;

/** The namespaces as the provider's namespace informer holds them, each labelled for injection. */
function namespaceStore(snapshot: ResourceSnapshot): RawObject[] {
  return snapshot.namespaces.map((ns) => ({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: ns.name, labels: { ...ns.labels, 'aspen.dev/inject': 'enabled' } },
  }));
}

/** The running webhooks and their metrics registry. */
interface Server {
  webhooks: Webhooks;
  registry: Registry;
}

async function start(snapshot: ResourceSnapshot): Promise<Server> {
  const registry = new Registry();
  const store = namespaceStore(snapshot);
  // The tests' in-memory API client: it holds the webhook CA Secret and the webhook configurations.
  const client = new MemoryClient(NAMESPACE);
  for (const ns of snapshot.namespaces) {
    const labels = namespaceLabelsFrom(store, ns.name);
    if (labels !== undefined) client.labels.set(ns.name, { ...labels });
  }
  // The injected trust bundle: the webhook CA's, once it exists (the injector copies it, never parses it).
  const trust = { pem: '' };
  const webhooks = await startWebhooks(
    {
      listen: '127.0.0.1:0',
      namespace: NAMESPACE,
      trustDomain: 'cluster.local',
      tls: { source: 'self' },
      injection: { nativeSidecars: true, xdsAddress: `${SERVER_NAME}:15010` },
    },
    {
      client,
      isLeader: () => true,
      trustBundle: () => trust.pem,
      snapshot: () => snapshot,
      namespaceLabels: async (name) => namespaceLabelsFrom(store, name) ?? client.namespaceLabels(name),
      metrics: registry,
    },
  );
  await webhooks.syncCertificates();
  if (!webhooks.ready()) throw new Error('webhook serving certificate not loaded');
  trust.pem = webhooks.caBundle();
  return { webhooks, registry };
}

async function load(command: LoadCommand): Promise<LoadReport> {
  const script = fileURLToPath(new URL('./lib/webhook-load.js', import.meta.url));
  const child = fork(script, [], {
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  try {
    return await new Promise<LoadReport>((resolve, reject) => {
      child.once('message', (report: LoadReport) => resolve(report));
      child.once('exit', (code) => reject(new Error(`load generator exited (${String(code)})`)));
      child.send(command);
    });
  } finally {
    child.disconnect();
  }
}

/** A phase's load report, the server process's CPU time and event-loop delays over it, its handler times. */
interface Measured {
  report: LoadReport;
  serverCpuMs: number;
  loopDelay: { p99: number; max: number };
  handler: string;
}

/** `≤ 1 ms 97.1 %, ≤ 5 ms 99.9 %, …` from the review duration histogram (handler time, without HTTP and TLS). */
async function handlerTimes(registry: Registry, path: string): Promise<string> {
  const metric = await registry.getSingleMetric('aspen_webhook_review_duration_seconds')?.get();
  const values = (metric?.values ?? []).filter(
    (v) => v.labels.path === path && (v as { metricName?: string }).metricName?.endsWith('_bucket') === true,
  );
  const total = values.find((v) => v.labels.le === '+Inf')?.value ?? 0;
  return values
    .filter((v) => v.labels.le !== '+Inf' && Number(v.labels.le) <= 0.01)
    .map((v) => `≤ ${Number(v.labels.le) * 1000} ms ${((v.value / total) * 100).toFixed(2)} %`)
    .join(', ');
}

function phaseResult(name: string, measured: Measured, seconds: number): Result {
  const { report, serverCpuMs, loopDelay } = measured;
  const l = report.latencies;
  const f = (q: number): string => quantile(l, q).toFixed(2);
  const max = l.length === 0 ? Number.NaN : Math.max(...l);
  console.log(
    `  ${name}: ${report.sent} requests in ${seconds} s (after ${report.warmup} in a 1 s warm-up); answered ${l.length}, errors ${report.errors}; ` +
      `median ${f(0.5)} ms, p90 ${f(0.9)} ms, p99 ${f(0.99)} ms, max ${max.toFixed(2)} ms ` +
      `(sender lag at worst ${report.maxSendLag.toFixed(1)} ms)`,
  );
  const requests = report.sent + report.warmup;
  console.log(
    `    CPU per request: server ${(serverCpuMs / requests).toFixed(2)} ms ` +
      `(${((serverCpuMs / 1000 / (seconds + 1)) * 100).toFixed(0)} % of a core), ` +
      `load generator ${(report.cpuMs / requests).toFixed(2)} ms; server event-loop delay ` +
      `p99 ${loopDelay.p99.toFixed(1)} ms, max ${loopDelay.max.toFixed(1)} ms`,
  );
  console.log(`    handler time (aspen_webhook_review_duration_seconds): ${measured.handler}`);
  for (const sample of report.errorSamples) console.log(`    error: ${sample}`);
  const p99 = quantile(l, 0.99);
  const ok = report.errors === 0 && p99 <= TARGET_MS;
  const errors = report.errors === 0 ? '' : `, ${report.errors} errors`;
  return {
    bench: `6 webhook, ${name} p99`,
    figure: `${p99.toFixed(2)} ms${errors}`,
    target: `≤ ${TARGET_MS} ms`,
    met: ok,
  };
}

async function phase(
  server: Server,
  name: string,
  requests: LoadRequest[],
  runs: WebhookRuns,
): Promise<Result> {
  const refused = requests.filter((r) => !r.allowed).length;
  console.log(`  ${name}: ${requests.length} distinct reviews (${refused} expected refused), used in turn`);
  const { webhooks, registry } = server;
  const path = requests[0]?.path ?? '';
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  const cpu = process.cpuUsage();
  const report = await load({
    port: webhooks.port,
    caPem: webhooks.caBundle(),
    serverName: SERVER_NAME,
    connections: CONNECTIONS,
    rate: runs.rate,
    durationMs: runs.seconds * 1000,
    warmupMs: 1000,
    timeoutMs: 10_000,
    requests,
  });
  const used = process.cpuUsage(cpu);
  delay.disable();
  const loopDelay = { p99: delay.percentile(99) / 1e6, max: delay.max / 1e6 };
  const serverCpuMs = (used.user + used.system) / 1000;
  const handler = await handlerTimes(registry, path);
  return phaseResult(name, { report, serverCpuMs, loopDelay, handler }, runs.seconds);
}

/** Runs benchmark 6 and returns its result lines. */
export async function runWebhook(size: ClusterSize, runs: WebhookRuns): Promise<Result[]> {
  console.log(
    `\n[6] webhook: ${size.policies} policies over ${size.workloads} workloads in ${size.namespaces} namespaces; ` +
      `${runs.rate} requests/s for ${runs.seconds} s per phase over ${CONNECTIONS} HTTPS keep-alive connections`,
  );
  console.log(machineLine());
  const snapshot = generateCluster(size);
  // The controller serves the webhooks from the process that also holds the cluster's xDS state (snapshot cache,
  // memos): build it here and keep it alive through the phases, so the heap (and its collections) are the controller's.
  const xds = new SnapshotCache();
  new BenchPipeline(xds).fullRebuild(snapshot);
  (globalThis as { gc?: () => void }).gc?.();
  const heap = process.memoryUsage();
  console.log(
    `  beside the xDS state of ${xds.proxyKeys().length} proxies: heap ${(heap.heapUsed / 2 ** 20).toFixed(0)} MiB, external ${(heap.external / 2 ** 20).toFixed(0)} MiB`,
  );
  const server = await start(snapshot);
  try {
    const results = [await phase(server, 'injection', injectionRequests(snapshot, 200), runs)];
    const validation = validationRequests(snapshot, size.policies, 200);
    results.push(await phase(server, 'validation', validation, runs));
    console.log(machineLine());
    console.log(`  (xDS state still held: ${xds.proxyKeys().length} proxies)`);
    return results;
  } finally {
    await server.webhooks.close();
  }
}
