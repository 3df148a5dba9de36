/**
 * The pipeline runner of `serve` and `controller`: snapshot source (a watched directory, or the cluster) → debounce →
 * rebuild (read, translate, check, encode) → snapshot cache. Rebuilds never overlap (a change during a rebuild
 * schedules one more), never half-apply (a read problem keeps the previous build entirely; a proxy that fails the
 * check keeps its previous snapshot), and report each outcome in {@link PipelineRunner.lastBuild}. Ready once the
 * first read succeeded and was published. Endpoint-only changes take a fast path: no translation, only
 * {@link RunnerOptions.onEndpoints}. Rebuilds are incremental (incremental.ts, ADRs 0027 and 0033): the translation
 * reuses what did not change, and only the proxies whose IR changed are translated to Envoy, checked, encoded and
 * published; the first rebuild, and the one after any failure, build every proxy.
 */
import type { ApiSecurityPolicy } from '../api/v1alpha1/types.js';
import type { ProxyIR } from '../ir/index.js';
import type { PolicyStatus } from '../translate/status.js';
import type { SnapshotCache } from '../xds/cache/cache.js';
import type { Clock, Logger } from '../xds/server/types.js';
import { buildProxy, defaultStages, translateRead, withSecrets } from './build.js';
import type { LastGoodPolicies, RefusedEdit } from './last-good.js';
import type { LoadOutcome, ProxyStages, TranslateSettings } from './build.js';
import { DEFAULT_MAX_DELAY_MS, DEFAULT_QUIET_MS, Debouncer } from './debounce.js';
import type { Timers } from './debounce.js';
import { logStatusChanges } from './policy-log.js';
import type { StatusMemory } from './policy-log.js';
import { IncrementalRebuilds } from './incremental.js';
import type { PublishedVersion } from './publish.js';
import type { ChangeWatcher } from './watcher.js';
import type { SecretSource } from './secrets.js';
import { directorySource } from './source.js';
import type { SnapshotSource, SourceChange, SourceRead } from './source.js';

/** How a rebuild ended. */
export type BuildOutcome = 'ok' | 'load_error' | 'check_error' | 'internal_error';

/** The last rebuild, for logs, readiness and status. */
export interface BuildStatus {
  /** When it finished. */
  at: Date;
  /** True when the load succeeded and every proxy was published. */
  ok: boolean;
  /** How it ended. */
  outcome: BuildOutcome;
  /** What went wrong (`<file>:<line>: <message>`, or `<proxy>: <problem>`), empty when ok. */
  problems: string[];
  /** Proxies served after it. */
  proxies: number;
  /** How long it took. */
  durationMs: number;
}

/** What a finished rebuild tells metrics. */
export interface BuildReport {
  /** The status. */
  status: BuildStatus;
  /** When the first change it carries was detected (undefined for the startup build). */
  changeDetectedAt: Date | undefined;
  /** Versions published for each proxy and changed type. */
  changed: PublishedVersion[];
  /** Proxies removed. */
  removed: string[];
  /**
   * What the translation produced, when the read succeeded (status writers use it): policy statuses, every proxy's
   * IR, the valid defaulted policies, and the proxy keys whose build failed (they keep their previous snapshot); the
   * runner always sets the last two (optional for hand-made reports).
   */
  translation?: {
    statuses: PolicyStatus[];
    proxies: readonly ProxyIR[];
    policies?: readonly ApiSecurityPolicy[];
    failed?: readonly string[];
  };
}

/** How the runner translates; `dir` and `defaultNamespace` name the directory when no `source` is given. */
export type RunnerSettings = TranslateSettings & { dir?: string; defaultNamespace?: string };

/** What a {@link PipelineRunner} is built from. */
export interface RunnerOptions {
  /** How to translate (and, without `source`, which directory to read). */
  settings: RunnerSettings;
  /** Where snapshots go. */
  cache: SnapshotCache;
  /** Where the world is read from; default: the directory `settings.dir` watched by `watcher`. */
  source?: SnapshotSource;
  /** Change notifications for the directory (only without `source`). */
  watcher?: ChangeWatcher;
  /** Called on the endpoint fast path with the current snapshot (no translation ran); must not throw. */
  onEndpoints?: (read: SourceRead & { ok: true }) => void;
  /** Timers for the debounce. */
  timers: Timers;
  /** Time of statuses and durations. */
  clock: Clock;
  /** Where rebuilds are logged. */
  logger: Logger;
  /** Debounce periods; defaults 200 ms quiet, 2 s maximum. */
  debounce?: { quietMs: number; maxDelayMs: number };
  /** Called after every rebuild (metrics); must not throw. */
  onBuilt?: (report: BuildReport) => void;
  /** Translation stages (tests replace the check). */
  stages?: ProxyStages;
  /** Each proxy's SDS secrets, added to its snapshot (absent: no Secret type is served). */
  secrets?: SecretSource;
  /** Called with every successful load, before publishing (the dataplane state and status); must not throw. */
  onLoaded?: (loaded: Loaded) => void;
}

/** A successful load. */
export type Loaded = Extract<LoadOutcome, { ok: true }>;

/** Logs each refused edit once (again only when its problems change); returns what was logged, by policy. */
function logRefusedEdits(
  log: Logger,
  refused: RefusedEdit[],
  logged: Map<string, string>,
): Map<string, string> {
  const now = new Map<string, string>();
  for (const edit of refused) {
    const key = JSON.stringify(edit.problems);
    now.set(edit.policy, key);
    if (logged.get(edit.policy) === key) continue;
    log.warn(
      { policy: edit.policy, problems: edit.problems },
      'invalid edit refused; the last valid version of the policy stays in force',
    );
  }
  return now;
}

/** The source of `options`: the given one, or the watched directory. */
function sourceOf(options: RunnerOptions): SnapshotSource {
  if (options.source !== undefined) return options.source;
  const { dir, defaultNamespace } = options.settings;
  if (dir === undefined || options.watcher === undefined)
    throw new Error('PipelineRunner needs a source, or settings.dir and a watcher');
  return directorySource({ dir, defaultNamespace: defaultNamespace ?? 'default' }, options.watcher);
}

/** Runs the pipeline; see the module comment. */
export class PipelineRunner {
  private readonly options: RunnerOptions;
  private readonly source: SnapshotSource;
  private endpointsOnly = false;
  private endpointRefreshCount = 0;
  private readonly debouncer: Debouncer;
  private readonly log: Logger;
  private readonly incremental = new IncrementalRebuilds();
  private statuses: StatusMemory = new Map();
  private lastGood: LastGoodPolicies = new Map();
  private refusedLogged = new Map<string, string>();
  private last: BuildStatus | undefined;
  private changedSince: Date | undefined;
  private again = false;
  private running: Promise<void> | undefined;
  private stopped = false;
  private readyResolve: () => void = () => undefined;
  private readonly readyPromise: Promise<void>;
  private isReady = false;

  /** Creates an idle runner; nothing is read before {@link start}. */
  constructor(options: RunnerOptions) {
    this.options = options;
    this.source = sourceOf(options);
    this.log = options.logger.child({ component: 'pipeline' });
    this.debouncer = new Debouncer({
      quietMs: options.debounce?.quietMs ?? DEFAULT_QUIET_MS,
      maxDelayMs: options.debounce?.maxDelayMs ?? DEFAULT_MAX_DELAY_MS,
      timers: options.timers,
      fire: () => this.fired(),
    });
    this.readyPromise = new Promise((resolve) => {
      this.readyResolve = resolve;
    });
  }

  /** Starts watching, then runs the first build; resolves when that build finished (ready or not). */
  async start(): Promise<void> {
    this.source.start((change) => this.changed(change));
    this.requestBuild();
    await this.settled();
  }

  /** Stops watching and drops a waiting rebuild; a running one finishes but is the last. */
  stop(): void {
    this.stopped = true;
    this.source.close();
    this.debouncer.cancel();
  }

  /** The last rebuild's status (undefined before the first one finished). */
  get lastBuild(): BuildStatus | undefined {
    return this.last;
  }

  /** How many endpoint-only changes took the fast path (no translation). */
  get endpointRefreshes(): number {
    return this.endpointRefreshCount;
  }

  /** Whether a complete build has been published. */
  get ready(): boolean {
    return this.isReady;
  }

  /** Resolves once a complete build has been published. */
  whenReady(): Promise<void> {
    return this.readyPromise;
  }

  /** Resolves when no rebuild is running or queued (a debounce still waiting does not count). */
  async settled(): Promise<void> {
    while (this.running !== undefined) await this.running;
  }

  /** The source saw a change. An endpoint-only burst stays on the fast path unless a full change joins it. */
  private changed(change: SourceChange = 'full'): void {
    if (this.stopped) return;
    if (change === 'endpoints') {
      if (!this.debouncer.pending) this.endpointsOnly = true;
    } else {
      this.endpointsOnly = false;
      this.changedSince ??= this.options.clock.now();
    }
    this.debouncer.trigger();
  }

  /** The debounce fired: a rebuild, or the endpoint fast path. */
  private fired(): void {
    const endpointsOnly = this.endpointsOnly;
    this.endpointsOnly = false;
    if (endpointsOnly && this.isReady) {
      this.refreshEndpoints().catch((error: unknown) =>
        this.log.error({ err: error }, 'endpoint refresh failed (aspen bug)'),
      );
      return;
    }
    this.requestBuild();
  }

  /** The endpoint fast path: read the current snapshot and hand it on, without translating. */
  private async refreshEndpoints(): Promise<void> {
    const read = await this.source.read();
    if (!read.ok || this.stopped) return;
    this.endpointRefreshCount += 1;
    this.options.onEndpoints?.(read);
    this.log.debug({ endpointSlices: read.snapshot.endpointSlices.length }, 'endpoints refreshed');
  }

  private requestBuild(): void {
    this.again = true;
    this.running ??= this.buildWhileRequested()
      .catch((error: unknown) => this.log.error({ err: error }, 'rebuild loop failed'))
      .finally(() => {
        this.running = undefined;
        if (this.again && !this.stopped) this.requestBuild();
      });
  }

  private async buildWhileRequested(): Promise<void> {
    while (this.again && !this.stopped) {
      this.again = false;
      const changeDetectedAt = this.changedSince;
      this.changedSince = undefined;
      await this.buildOnce(changeDetectedAt);
    }
  }

  private async buildOnce(changeDetectedAt: Date | undefined): Promise<void> {
    const started = this.options.clock.now();
    let report: Omit<BuildReport, 'status'> & { outcome: BuildOutcome; problems: string[] };
    try {
      report = { changeDetectedAt, ...(await this.rebuild()) };
    } catch (error) {
      this.incremental.reset();
      this.log.error({ err: error }, 'rebuild failed (aspen bug); the previous build stays served');
      report = {
        changeDetectedAt,
        outcome: 'internal_error',
        problems: [String(error)],
        changed: [],
        removed: [],
      };
    }
    const at = this.options.clock.now();
    const { outcome, problems } = report;
    const status: BuildStatus = {
      at,
      ok: outcome === 'ok',
      outcome,
      problems,
      proxies: this.incremental.served.size,
      durationMs: at.getTime() - started.getTime(),
    };
    this.last = status;
    this.options.onBuilt?.({
      status,
      changeDetectedAt,
      changed: report.changed,
      removed: report.removed,
      ...(report.translation === undefined ? {} : { translation: report.translation }),
    });
  }

  private async rebuild(): Promise<{
    outcome: BuildOutcome;
    problems: string[];
    changed: PublishedVersion[];
    removed: string[];
    translation?: BuildReport['translation'];
  }> {
    const { settings, cache } = this.options;
    const read = await this.source.read();
    const loaded = translateRead(read, settings.trustDomain, this.lastGood, this.incremental.memo);
    if (!loaded.ok) {
      this.log.warn(
        { problems: loaded.problems },
        this.isReady
          ? 'the input has problems; the previous build stays served'
          : 'the input has problems; nothing is served until they are fixed',
      );
      return { outcome: 'load_error', problems: loaded.problems, changed: [], removed: [] };
    }
    this.lastGood = loaded.lastGood;
    this.options.onLoaded?.(loaded);
    this.refusedLogged = logRefusedEdits(this.log, loaded.refused, this.refusedLogged);
    this.statuses = logStatusChanges(this.log, loaded.statuses, this.statuses);
    const stages = this.options.stages ?? defaultStages;
    const secrets = this.options.secrets;
    await secrets?.prepare(loaded.proxies);
    // Only the proxies whose IR changed (all of them after a failure): see incremental.ts.
    const plan = this.incremental.plan(loaded.proxies);
    const builds = plan.changed.map((proxy) => withSecrets(buildProxy(proxy, settings.xds, stages), secrets));
    const result = this.incremental.publish(cache, builds, plan);
    const problems = result.failed.flatMap((f) => f.problems.map((p) => `${f.proxyKey}: ${p}`));
    for (const failed of result.failed) {
      this.log.error(
        { proxy: failed.proxyKey, problems: failed.problems },
        'generated Envoy resources failed the check (aspen bug); the previous snapshot stays served',
      );
    }
    this.log.info(
      {
        proxies: result.served.size,
        rebuilt: builds.length,
        full: plan.full,
        changed: result.changed.length,
        removed: result.removed,
      },
      'rebuilt',
    );
    this.markReady();
    const outcome = problems.length > 0 ? 'check_error' : 'ok';
    const translation = {
      statuses: loaded.statuses,
      proxies: loaded.proxies,
      policies: loaded.policies,
      failed: result.failed.map((f) => f.proxyKey),
    };
    return { outcome, problems, changed: result.changed, removed: result.removed, translation };
  }

  private markReady(): void {
    if (this.isReady) return;
    this.isReady = true;
    this.readyResolve();
  }
}
