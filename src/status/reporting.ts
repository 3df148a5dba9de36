/**
 * Status reporting, assembled: what the controller app wires between its pipeline, its xDS server and its leader
 * elector. Every replica records what it publishes (PublishLedger), tracks its proxies' ACKs and NACKs (SyncTracker)
 * and publishes its sync report (SyncReportPublisher); the leader reads every report (SyncReportCollector), computes
 * each policy's desired status (aggregateStatuses), writes it (StatusWriter, Events) and keeps the segmentation
 * NetworkPolicies current (NetworkPolicyReconciler).
 *
 * Wiring (src/controller/app.ts):
 * 1. `const reporting = new StatusReporting({...})`;
 * 2. pass `reporting.xdsEvents()` to the xDS server (combine with the metrics hooks);
 * 3. after every publish call `reporting.published({ proxies, statuses, policies, failed, removed, cache })`;
 * 4. `elector.onStartedLeading(() => reporting.startedLeading())`,
 *    `elector.onStoppedLeading(() => reporting.stoppedLeading())`, with `isLeader: () => elector.isLeader()`;
 * 5. `await reporting.start()` once the API is reachable; `await reporting.stop()` on shutdown (before the
 *    elector's stop, so the replica's report is deleted).
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { ApiSecurityPolicy } from '../api/v1alpha1/types.js';
import { kubeEventRecorder } from '../controller/events.js';
import { SyncReportCollector, SyncReportPublisher } from '../controller/reports.js';
import type { ProxyIR } from '../ir/index.js';
import { segmentationNetworkPolicies } from '../segmentation/network-policy.js';
import { NetworkPolicyReconciler } from '../segmentation/reconciler.js';
import type { TimerHandle, Timers } from '../serve/debounce.js';
import { DEFAULT_SUPPORTED_ENVOY } from '../serve/envoy-version.js';
import type { EnvoyVersionRange } from '../serve/envoy-version.js';
import type { PolicyStatus } from '../translate/status.js';
import type { SnapshotCache } from '../xds/cache/cache.js';
import type { Clock, Logger, XdsServerEvents } from '../xds/server/types.js';
import { aggregateStatuses } from './aggregate.js';
import { PublishLedger, publishRecordFrom } from './ledger.js';
import { summarizeReplica } from './replica-summary.js';
import { kubeStatusApi } from './status-api.js';
import { SyncTracker } from './sync-state.js';
import { StatusWriter } from './writer.js';

/** What {@link StatusReporting} is built from. */
export interface StatusReportingOptions {
  /** API access. */
  kubeConfig: KubeConfig;
  /** aspen's namespace (reports live there). */
  namespace: string;
  /** This replica's id. */
  replicaId: string;
  /** Whether this replica leads now (the elector's isLeader). */
  isLeader: () => boolean;
  /** Clock. */
  clock: Clock;
  /** Timers. */
  timers: Timers;
  /** Logger. */
  logger: Logger;
  /** Supported Envoy range (default 1.36–1.40). */
  envoyRange?: EnvoyVersionRange;
  /** Report heartbeat (default 10 s; reports expire after 3×). */
  reportHeartbeatMs?: number;
  /** Least time between report writes (default 1 s). */
  reportMinIntervalMs?: number;
  /** Delay that coalesces status recomputations (default 250 ms). */
  statusDelayMs?: number;
  /** Whether to manage segmentation NetworkPolicies (default true). */
  networkPolicies?: boolean;
}

/** One publish of the pipeline, as {@link StatusReporting.published} takes it. */
export interface PublishedBuild {
  /** Every proxy's IR of the rebuild. */
  proxies: readonly ProxyIR[];
  /** The translator's statuses of every policy. */
  statuses: readonly PolicyStatus[];
  /** The valid policies (translate's `policies`), for the NetworkPolicies; absent: NetworkPolicies are left alone. */
  policies?: readonly ApiSecurityPolicy[];
  /** Proxy keys whose build failed (they keep their previous snapshot). */
  failed: readonly { proxyKey: string }[];
  /** Proxy keys removed. */
  removed: readonly string[];
  /** The snapshot cache published to. */
  cache: Pick<SnapshotCache, 'getSnapshot'>;
}

/** See the module comment. */
export class StatusReporting {
  private readonly options: StatusReportingOptions;
  private readonly log: Logger;
  private readonly ledger = new PublishLedger();
  private readonly tracker: SyncTracker;
  private readonly publisher: SyncReportPublisher;
  private readonly collector: SyncReportCollector;
  private readonly writer: StatusWriter;
  private readonly reconciler: NetworkPolicyReconciler;
  private statuses: readonly PolicyStatus[] = [];
  private policies: readonly ApiSecurityPolicy[] = [];
  private known = new Set<string>();
  private timer: TimerHandle | undefined;
  private reconciling: Promise<void> | undefined;
  private reconcileAgain = false;
  private havePolicies = false;
  private reportsListed = false;

  /** Builds every part; nothing talks to the API before {@link start}. */
  constructor(options: StatusReportingOptions) {
    this.options = options;
    this.log = options.logger.child({ component: 'status' });
    const { kubeConfig, namespace, clock, timers, logger, isLeader } = options;
    this.tracker = new SyncTracker(() => this.publisher.changed());
    this.publisher = new SyncReportPublisher({
      kubeConfig,
      namespace,
      replicaId: options.replicaId,
      summarize: () =>
        summarizeReplica(this.ledger, this.tracker.proxies(), {
          envoyRange: options.envoyRange ?? DEFAULT_SUPPORTED_ENVOY,
        }),
      clock,
      timers,
      logger,
      ...(options.reportHeartbeatMs === undefined ? {} : { heartbeatMs: options.reportHeartbeatMs }),
      ...(options.reportMinIntervalMs === undefined ? {} : { minIntervalMs: options.reportMinIntervalMs }),
    });
    this.collector = new SyncReportCollector({
      kubeConfig,
      namespace,
      clock,
      timers,
      logger,
      onChange: () => this.schedule(),
      mayDelete: isLeader,
    });
    const events = kubeEventRecorder(kubeConfig, {
      component: 'aspen-controller',
      instance: options.replicaId,
      clock,
    });
    this.writer = new StatusWriter({
      api: kubeStatusApi(kubeConfig),
      isLeader,
      clock,
      logger,
      events,
      timers,
    });
    this.reconciler = new NetworkPolicyReconciler({ kubeConfig, isLeader, logger });
  }

  /** The xDS server hooks feeding the sync tracker (combine with other hooks; all synchronous and cheap). */
  xdsEvents(): XdsServerEvents {
    return this.tracker.events();
  }

  /** Starts the report publisher and collector; resolves once the collector listed the reports. */
  async start(): Promise<void> {
    this.publisher.start();
    await this.collector.start();
    this.reportsListed = true;
    this.schedule();
  }

  /** Stops everything and deletes this replica's report. */
  async stop(): Promise<void> {
    if (this.timer !== undefined) this.options.timers.clearTimeout(this.timer);
    this.timer = undefined;
    await this.publisher.stop();
    await this.collector.stop();
    await this.reconciling;
  }

  /** Records one publish: updates the ledger and the report; the leader recomputes status and NetworkPolicies. */
  published(build: PublishedBuild): void {
    this.ledger.record(publishRecordFrom(build));
    this.statuses = build.statuses;
    const keys = new Set(build.statuses.map((s) => `${s.namespace}/${s.name}`));
    for (const gone of [...this.known].filter((k) => !keys.has(k))) {
      const [namespace = '', name = ''] = gone.split('/');
      this.writer.forget(namespace, name);
    }
    this.known = keys;
    this.publisher.changed();
    this.schedule();
    if (build.policies === undefined) return;
    this.policies = build.policies;
    this.havePolicies = true;
    this.reconcileNetworkPolicies();
  }

  /** Leadership gained: forget what the previous term knew, rewrite every status, reconcile NetworkPolicies. */
  startedLeading(): void {
    this.writer.reset();
    this.schedule();
    this.reconcileNetworkPolicies();
  }

  /** Leadership lost: drop every queued write at once. */
  stoppedLeading(): void {
    this.writer.reset();
  }

  /** Resolves once queued status writes and a running NetworkPolicy reconcile are done (tests). */
  async settled(): Promise<void> {
    while (this.reconciling !== undefined) await this.reconciling;
    await this.writer.idle();
  }

  /** Recomputes and writes every status now (what the coalescing timer runs); nothing before the reports are listed. */
  recompute(): void {
    // Before every replica's report has been listed, proxies elsewhere would look absent (a NoProxies flap).
    if (!this.options.isLeader() || !this.reportsListed) return;
    this.writer.update(aggregateStatuses(this.statuses, this.collector.live()));
  }

  private schedule(): void {
    if (this.timer !== undefined || !this.options.isLeader()) return;
    this.timer = this.options.timers.setTimeout(() => {
      this.timer = undefined;
      this.recompute();
    }, this.options.statusDelayMs ?? 250);
  }

  private reconcileNetworkPolicies(): void {
    if (this.options.networkPolicies === false || !this.havePolicies || !this.options.isLeader()) return;
    if (this.reconciling !== undefined) {
      this.reconcileAgain = true;
      return;
    }
    this.reconcileAgain = false;
    // Policies that exist but are not valid now (invalid, or an invalid edit refused) keep their NetworkPolicy.
    const valid = new Set(this.policies.map((p) => `${p.metadata.namespace}/${p.metadata.name}`));
    const invalid = new Set(
      this.statuses.map((s) => `${s.namespace}/${s.name}`).filter((key) => !valid.has(key)),
    );
    this.reconciling = this.reconciler
      .reconcile(segmentationNetworkPolicies(this.policies), invalid)
      .then(() => undefined)
      .catch((error: unknown) =>
        this.log.warn({ err: error }, 'could not reconcile segmentation NetworkPolicies'),
      )
      .finally(() => {
        this.reconciling = undefined;
        if (this.reconcileAgain) this.reconcileNetworkPolicies();
      });
  }
}
