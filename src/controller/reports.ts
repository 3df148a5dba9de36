/**
 * Sync reports between replicas (the way Istio's distribution reporting works). A proxy is connected to one replica
 * only, so every replica publishes its proxies' sync summary in its own ConfigMap ({@link SyncReportPublisher}),
 * coalesced to at most one write per `minIntervalMs` (default 1 s) and rewritten every `heartbeatMs` (default 10 s)
 * as a liveness signal; the leader reads every report by list/watch ({@link SyncReportCollector}), aggregates the live
 * ones into policy status and deletes those not rewritten for 3× their heartbeat (a vanished replica). Expiry is
 * measured on the leader's clock from when it saw a report change, never by comparing clocks across machines.
 */
import { ApiException, CoreV1Api, makeInformer } from '@kubernetes/client-node';
import type { Informer, KubeConfig, V1ConfigMap } from '@kubernetes/client-node';
import type { TimerHandle, Timers } from '../serve/debounce.js';
import type { PolicySync } from '../status/replica-summary.js';
import type { Clock, Logger } from '../xds/server/types.js';
import type { ObservedReport, SyncReport } from './reports-format.js';
import {
  REPORT_KEY,
  REPORT_LABEL,
  decodeReport,
  encodeReport,
  partitionReports,
  reportName,
} from './reports-format.js';

/** Default least time between two writes of one replica's report. */
export const DEFAULT_REPORT_MIN_INTERVAL_MS = 1_000;
/** Default heartbeat: a report is rewritten at least this often, and expires after 3×. */
export const DEFAULT_REPORT_HEARTBEAT_MS = 10_000;

function code(error: unknown): number | undefined {
  return error instanceof ApiException ? error.code : undefined;
}

/** What a {@link SyncReportPublisher} is built from. */
export interface PublisherOptions {
  /** API access. */
  kubeConfig: KubeConfig;
  /** aspen's namespace. */
  namespace: string;
  /** This replica's id (`--replica-id`). */
  replicaId: string;
  /** The current summary (summarizeReplica over the ledger and the sync tracker). */
  summarize: () => PolicySync[];
  /** Time of reports. */
  clock: Clock;
  /** Timers for coalescing and the heartbeat. */
  timers: Timers;
  /** Logger. */
  logger: Logger;
  /** Least time between writes (default 1 s). */
  minIntervalMs?: number;
  /** Heartbeat (default 10 s). */
  heartbeatMs?: number;
}

/** Publishes this replica's report; see the module comment. */
export class SyncReportPublisher {
  private readonly options: PublisherOptions;
  private readonly api: CoreV1Api;
  private readonly log: Logger;
  private readonly name: string;
  private timer: TimerHandle | undefined;
  private timerDueMs = 0;
  private lastWriteMs = Number.NEGATIVE_INFINITY;
  private writing: Promise<void> | undefined;
  private running = false;

  /** Creates an idle publisher. */
  constructor(options: PublisherOptions) {
    this.options = options;
    this.api = options.kubeConfig.makeApiClient(CoreV1Api);
    this.log = options.logger.child({ component: 'sync-report' });
    this.name = reportName(options.replicaId);
  }

  /** Writes the first report now, then on changes and heartbeats. */
  start(): void {
    this.running = true;
    this.changed();
  }

  /** The sync state changed (SyncTracker's onChange, or after a publish): schedules one coalesced write. */
  changed(): void {
    if (!this.running) return;
    const min = this.options.minIntervalMs ?? DEFAULT_REPORT_MIN_INTERVAL_MS;
    const now = this.options.clock.now().getTime();
    const wait = Math.max(0, this.lastWriteMs + min - now);
    if (this.timer !== undefined) {
      if (this.timerDueMs <= now + wait) return; // a write is already due soon enough (coalesced)
      this.options.timers.clearTimeout(this.timer); // the heartbeat is later: write sooner
    }
    this.arm(wait);
  }

  /** Resolves when no write is in flight (tests). */
  async settled(): Promise<void> {
    while (this.writing !== undefined) await this.writing;
  }

  /** Writes now (also what the timers call); resolves when written. */
  async flush(): Promise<void> {
    if (this.timer !== undefined) this.options.timers.clearTimeout(this.timer);
    this.timer = undefined;
    this.writing ??= this.write().finally(() => {
      this.writing = undefined;
    });
    await this.writing;
    if (this.running && this.timer === undefined)
      this.arm(this.options.heartbeatMs ?? DEFAULT_REPORT_HEARTBEAT_MS);
  }

  /** Stops writing and deletes this replica's report (graceful shutdown). */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer !== undefined) this.options.timers.clearTimeout(this.timer);
    this.timer = undefined;
    await this.writing;
    try {
      await this.api.deleteNamespacedConfigMap({ name: this.name, namespace: this.options.namespace });
    } catch (error) {
      if (code(error) !== 404) this.log.warn({ err: error }, 'could not delete the sync report');
    }
  }

  private arm(ms: number): void {
    this.timerDueMs = this.options.clock.now().getTime() + ms;
    this.timer = this.options.timers.setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, ms);
  }

  private body(): V1ConfigMap {
    const { clock, namespace, replicaId } = this.options;
    const report: SyncReport = {
      replica: replicaId,
      reportedAt: clock.now().toISOString(),
      intervalMs: this.options.heartbeatMs ?? DEFAULT_REPORT_HEARTBEAT_MS,
      policies: this.options.summarize(),
    };
    return {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: this.name, namespace, labels: { [REPORT_LABEL]: 'true' } },
      data: { [REPORT_KEY]: encodeReport(report) },
    };
  }

  private async write(): Promise<void> {
    this.lastWriteMs = this.options.clock.now().getTime();
    const { namespace } = this.options;
    const body = this.body();
    try {
      await this.api.replaceNamespacedConfigMap({ name: this.name, namespace, body });
    } catch (error) {
      if (code(error) !== 404) {
        this.log.warn(
          { err: error },
          'could not write the sync report; retrying at the next change or heartbeat',
        );
        return;
      }
      await this.api.createNamespacedConfigMap({ namespace, body }).catch((e: unknown) => {
        this.log.warn({ err: e }, 'could not create the sync report');
      });
    }
  }
}

/** What a {@link SyncReportCollector} is built from. */
export interface CollectorOptions {
  /** API access. */
  kubeConfig: KubeConfig;
  /** aspen's namespace. */
  namespace: string;
  /** The reader's clock (expiry). */
  clock: Clock;
  /** Timers for the expiry check and watch restarts. */
  timers: Timers;
  /** Logger. */
  logger: Logger;
  /** Called when the set of live reports changed (a report written, deleted or expired). */
  onChange: () => void;
  /** Whether expired reports may be deleted now (the leader elector's isLeader; default never). */
  mayDelete?: () => boolean;
  /** How often to look for expired reports (default 5 s). */
  expiryCheckMs?: number;
}

/** Reads every replica's report by list/watch; see the module comment. */
export class SyncReportCollector {
  private readonly options: CollectorOptions;
  private readonly api: CoreV1Api;
  private readonly log: Logger;
  private readonly informer: Informer<V1ConfigMap>;
  private readonly observed = new Map<string, ObservedReport & { resourceVersion: string }>();
  private timer: TimerHandle | undefined;
  private running = false;

  /** Creates the informer; nothing is read before {@link start}. */
  constructor(options: CollectorOptions) {
    this.options = options;
    this.api = options.kubeConfig.makeApiClient(CoreV1Api);
    this.log = options.logger.child({ component: 'sync-report-collector' });
    const { namespace } = options;
    const labelSelector = `${REPORT_LABEL}=true`;
    this.informer = makeInformer(
      options.kubeConfig,
      `/api/v1/namespaces/${namespace}/configmaps`,
      () => this.api.listNamespacedConfigMap({ namespace, labelSelector }),
      labelSelector,
    );
    this.informer.on('add', (cm) => this.seen(cm));
    this.informer.on('update', (cm) => this.seen(cm));
    this.informer.on('delete', (cm) => this.gone(cm));
    this.informer.on('error', (error) => this.restart(error));
  }

  /** Starts the list/watch and the expiry check; resolves once the first list is in. */
  async start(): Promise<void> {
    this.running = true;
    this.armExpiry();
    await this.informer.start();
  }

  /** Stops watching. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer !== undefined) this.options.timers.clearTimeout(this.timer);
    this.timer = undefined;
    await this.informer.stop();
  }

  /** The live reports (not expired), sorted by ConfigMap name. */
  live(): SyncReport[] {
    return partitionReports([...this.observed.values()], this.options.clock.now().getTime()).live;
  }

  /** Drops expired reports and, when allowed, deletes their ConfigMaps; returns their names. */
  async expire(): Promise<string[]> {
    const { expired } = partitionReports([...this.observed.values()], this.options.clock.now().getTime());
    for (const name of expired) this.observed.delete(name);
    if (expired.length > 0) this.options.onChange();
    if (!(this.options.mayDelete?.() ?? false)) return expired;
    for (const name of expired) {
      this.log.info({ report: name }, 'deleting an expired sync report (its replica stopped reporting)');
      await this.api
        .deleteNamespacedConfigMap({ name, namespace: this.options.namespace })
        .catch((error: unknown) => {
          if (code(error) !== 404)
            this.log.warn({ err: error, report: name }, 'could not delete an expired sync report');
        });
    }
    return expired;
  }

  private seen(cm: V1ConfigMap): void {
    const name = cm.metadata?.name ?? '';
    const resourceVersion = cm.metadata?.resourceVersion ?? '';
    if (this.observed.get(name)?.resourceVersion === resourceVersion) return;
    const report = decodeReport(cm.data?.[REPORT_KEY]);
    if (report === undefined) {
      this.log.warn({ report: name }, 'ignoring a sync report ConfigMap that holds no readable report');
      return;
    }
    this.observed.set(name, { name, report, resourceVersion, seenAtMs: this.options.clock.now().getTime() });
    this.options.onChange();
  }

  private gone(cm: V1ConfigMap): void {
    if (this.observed.delete(cm.metadata?.name ?? '')) this.options.onChange();
  }

  private restart(error: unknown): void {
    this.log.warn({ err: error }, 'sync report watch failed; relisting');
    this.options.timers.setTimeout(() => {
      if (this.running) this.informer.start().catch((e: unknown) => this.restart(e));
    }, 1_000);
  }

  private armExpiry(): void {
    this.timer = this.options.timers.setTimeout(() => {
      this.timer = undefined;
      if (!this.running) return;
      void this.expire().finally(() => this.armExpiry());
    }, this.options.expiryCheckMs ?? 5_000);
  }
}
