/**
 * Controller-only metrics, read at scrape time: per watched kind whether its reflector has synced and how many lists
 * succeeded (more than one means relists: 410 Gone or errors), and how many endpoint-only changes took the fast path.
 */
import { Gauge } from 'prom-client';
import type { Registry } from 'prom-client';
import type { KubernetesSource } from '../provider/kubernetes/source.js';
import type { PipelineRunner } from '../serve/runner.js';

/** Registers the controller metrics on `registry`. */
export function registerControllerMetrics(
  registry: Registry,
  source: KubernetesSource,
  runner: PipelineRunner,
): void {
  new Gauge({
    name: 'aspen_informer_synced',
    help: 'Whether the watch of each kind has listed at least once (1) or not yet (0)',
    labelNames: ['kind'],
    registers: [registry],
    collect(): void {
      for (const [kind, synced] of Object.entries(source.syncedKinds())) this.set({ kind }, synced ? 1 : 0);
    },
  });
  new Gauge({
    name: 'aspen_informer_lists',
    help: 'Successful lists of each kind since start (1 = initial sync; more = relists after 410 Gone or errors)',
    labelNames: ['kind'],
    registers: [registry],
    collect(): void {
      for (const [kind, lists] of Object.entries(source.lists())) this.set({ kind }, lists);
    },
  });
  new Gauge({
    name: 'aspen_endpoint_refreshes',
    help: 'Endpoint-only changes that took the fast path (no translation) since start',
    registers: [registry],
    collect(): void {
      this.set(runner.endpointRefreshes);
    },
  });
}
