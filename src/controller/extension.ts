/**
 * Extension points of `aspen controller`: the parts that run beside the xDS pipeline (status writer and aggregation,
 * per-replica sync reports, NetworkPolicy reconciliation) receive a {@link ControllerContext} and return a
 * {@link ControllerExtension}: xDS server events to observe (proxy sync state), a hook after every rebuild (the
 * translator's statuses and proxies), and start/stop. Leadership is in the context; leader-only work checks
 * `isLeader()` before every write and may subscribe to leadership changes.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { Registry } from 'prom-client';
import type { CaState } from '../ca/types.js';
import type { KubernetesSource } from '../provider/kubernetes/source.js';
import type { Timers } from '../serve/debounce.js';
import type { BuildReport } from '../serve/runner.js';
import type { SnapshotCache } from '../xds/cache/cache.js';
import type { Clock, Logger, XdsServerEvents } from '../xds/server/types.js';

/** What every extension is given. */
export interface ControllerContext {
  /** API server access. */
  readonly kubeConfig: KubeConfig;
  /** aspen's namespace. */
  readonly namespace: string;
  /** This replica's id. */
  readonly replicaId: string;
  /** SPIFFE trust domain. */
  readonly trustDomain: string;
  /** The workload CA (loaded from its Secret before any extension is built). */
  readonly ca: CaState;
  /** Time source. */
  readonly clock: Clock;
  /** Timers. */
  readonly timers: Timers;
  /** Logger (add a `component` child). */
  readonly logger: Logger;
  /** Metrics registry. */
  readonly registry: Registry;
  /** The live cluster objects (policies, pods, …) as the provider holds them. */
  readonly source: KubernetesSource;
  /** The snapshot cache (what each proxy is served). */
  readonly cache: SnapshotCache;
  /** Whether this replica leads right now (checked before every leader-only write). */
  isLeader(): boolean;
  /** Registers callbacks for leadership gained and lost (never called without leader election). */
  onLeadership(started: () => void, stopped: () => void): void;
}

/** One extension; every member optional. */
export interface ControllerExtension {
  /** For logs. */
  readonly name: string;
  /** xDS server events (connected, ACK, NACK, …); must be cheap and must not throw. */
  readonly events?: XdsServerEvents;
  /** Called after every rebuild with its report (including the translation); must not throw. */
  onBuilt?(report: BuildReport): void;
  /** Started after the pipeline started (before the first build finished). */
  start?(): Promise<void> | void;
  /** Stopped on shutdown, before leadership is released. */
  stop?(): Promise<void> | void;
  /** Whether this part is ready to serve (`/readyz` is 200 only when every extension says so); default ready. */
  ready?(): boolean;
}

/** Builds an extension from the context. */
export type ExtensionFactory = (context: ControllerContext) => ControllerExtension;

type EventName = keyof XdsServerEvents;

/** One {@link XdsServerEvents} calling every given one in order. */
export function combineEvents(all: readonly (XdsServerEvents | undefined)[]): XdsServerEvents {
  const present = all.filter((e): e is XdsServerEvents => e !== undefined);
  const names: EventName[] = [
    'onConnected',
    'onDisconnected',
    'onRefused',
    'onAcked',
    'onRejected',
    'onSent',
    'onIgnored',
  ];
  const out: Record<string, (...args: unknown[]) => void> = {};
  for (const name of names) {
    const owners = present.filter((events) => typeof events[name] === 'function');
    if (owners.length === 0) continue;
    out[name] = (...args: unknown[]): void => {
      for (const events of owners) (events[name] as (...a: unknown[]) => void).apply(events, args);
    };
  }
  return out;
}
