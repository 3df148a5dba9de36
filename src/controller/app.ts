/**
 * `aspen controller` assembled: the workload CA from its Secret, the Kubernetes provider feeding the shared pipeline
 * runner and snapshot cache, the ADS/SDS server over TLS (serving certificate from the workload CA) whose proxies
 * authenticate with their projected ServiceAccount token (TokenReview; refused when the token or its workload does not
 * check out), leader election, the extensions (by default status reporting: sync reports, status writer, NetworkPolicy
 * reconciliation; see {@link defaultExtensions}), health/readiness and metrics, and
 * graceful shutdown. Ready once every informer has synced and the first build is published; the ADS port listens
 * from then on.
 */
import type { RequestListener } from 'node:http';
import type { CaState } from '../ca/types.js';
import { KubernetesSource } from '../provider/kubernetes/source.js';
import { clientNodeTransport } from '../provider/kubernetes/transport.js';
import { formatListenAddress } from '../serve/address.js';
import { systemTimers } from '../serve/debounce.js';
import type { Timers } from '../serve/debounce.js';
import { EnvoyVersions, withEnvoyVersions } from '../serve/envoy-version.js';
import { healthHandler, listenHttp, metricsHandler } from '../serve/http.js';
import type { HealthSource, HttpEndpoint } from '../serve/http.js';
import { ServeMetrics } from '../serve/metrics.js';
import { PipelineRunner } from '../serve/runner.js';
import type { BuildReport, BuildStatus } from '../serve/runner.js';
import { WorkloadSecrets } from '../serve/secrets.js';
import { ServingTls } from '../serve/tls.js';
import { SnapshotCache } from '../xds/cache/cache.js';
import { tokenAuthenticator } from '../xds/sds/token-auth.js';
import { tokenReviewVerifier } from '../xds/sds/token-review.js';
import { AdsService } from '../xds/server/ads.js';
import { DEFAULT_SHUTDOWN_GRACE_MS, XdsServer } from '../xds/server/server.js';
import { systemClock } from '../xds/server/types.js';
import type { Clock, Logger } from '../xds/server/types.js';
import { loadOrCreateCa } from './ca-secret.js';
import { combineEvents } from './extension.js';
import type { ControllerContext, ControllerExtension, ExtensionFactory } from './extension.js';
import { statusExtension } from '../status/extension.js';
import { Leadership } from './leadership.js';
import { registerControllerMetrics } from './metrics.js';
import { defaultXdsDnsNames } from './options.js';
import type { ControllerDeps, ControllerOptions } from './options.js';

/** A running `aspen controller`. */
export interface ControllerApp {
  /** The snapshot cache (one snapshot per proxy key). */
  readonly cache: SnapshotCache;
  /** The pipeline (last build, readiness). */
  readonly runner: PipelineRunner;
  /** The Kubernetes provider (live objects, sync state). */
  readonly source: KubernetesSource;
  /** The workload CA (from the CA Secret). */
  readonly ca: CaState;
  /** Leadership (always false without leader election). */
  readonly leadership: Leadership;
  /** Port of the health endpoints. */
  readonly healthPort: number;
  /** Port of the metrics endpoint. */
  readonly metricsPort: number;
  /** Resolves with the bound ADS port once the first build is published and the server listens. */
  readonly serving: Promise<number>;
  /** Resolves (never rejects) if serving cannot continue, e.g. the ADS port cannot be bound. */
  readonly fatal: Promise<Error>;
  /** Whether informers synced and the first build is published. */
  ready(): boolean;
  /** The last build. */
  lastBuild(): BuildStatus | undefined;
  /** Graceful shutdown: extensions, leadership released, informers, xDS streams (grace period), endpoints closed. */
  close(): Promise<void>;
}

/** The parts built before anything listens. */
interface Core {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly cache: SnapshotCache;
  readonly source: KubernetesSource;
  readonly runner: PipelineRunner;
  readonly secrets: WorkloadSecrets;
  readonly tls: ServingTls;
  readonly xds: XdsServer;
  readonly leadership: Leadership;
  readonly extensions: ControllerExtension[];
  readonly ca: CaState;
}

function safely(logger: Logger, name: string, hook: () => void): void {
  try {
    hook();
  } catch (error) {
    logger.error({ err: error, extension: name }, 'extension hook failed');
  }
}

/**
 * The extensions every controller runs unless the caller chooses: status reporting (sync reports, the leader's status
 * writer and aggregation, NetworkPolicy reconciliation; src/status/extension.ts).
 */
export function defaultExtensions(options: Pick<ControllerOptions, 'supportedEnvoy'>): ExtensionFactory[] {
  return [
    statusExtension(options.supportedEnvoy === undefined ? {} : { envoyRange: options.supportedEnvoy }),
  ];
}

function onBuilt(core: Pick<Core, 'logger' | 'extensions'>, report: BuildReport): void {
  for (const extension of core.extensions) {
    if (extension.onBuilt === undefined) continue;
    safely(core.logger, extension.name, () => extension.onBuilt?.(report));
  }
}

/** Effects resolved from the deps (defaults filled in). */
interface Env {
  readonly clock: Clock;
  readonly timers: Timers;
  readonly logger: Logger;
}

function envOf(deps: ControllerDeps): Env {
  return { clock: deps.clock ?? systemClock, timers: deps.timers ?? systemTimers, logger: deps.logger };
}

function makeSource(options: ControllerOptions, deps: ControllerDeps, env: Env): KubernetesSource {
  return new KubernetesSource({
    transport: deps.transport ?? clientNodeTransport(deps.kubeConfig),
    timers: env.timers,
    logger: env.logger,
    ...(options.informerBackoff === undefined ? {} : { backoff: options.informerBackoff }),
  });
}

function makeSecrets(
  options: ControllerOptions,
  deps: ControllerDeps,
  env: Env,
  parts: { ca: CaState; cache: SnapshotCache },
): WorkloadSecrets {
  return new WorkloadSecrets({
    ca: parts.ca,
    cache: parts.cache,
    clock: env.clock,
    random: deps.random ?? Math.random,
    timers: env.timers,
    logger: env.logger.child({ component: 'sds' }),
    ...(options.svidTtlMs === undefined ? {} : { svidTtlMs: options.svidTtlMs }),
  });
}

function makeTls(options: ControllerOptions, env: Env, ca: CaState): ServingTls {
  return new ServingTls({
    ca,
    dnsNames: options.xdsDnsNames ?? defaultXdsDnsNames(options.namespace),
    ...(options.servingTtlMs === undefined ? {} : { ttlMs: options.servingTtlMs }),
    clock: env.clock,
    timers: env.timers,
    logger: env.logger.child({ component: 'tls' }),
  });
}

/** The ADS service: token-authenticated proxies, events to metrics, Envoy versions and every extension. */
function makeAds(
  options: ControllerOptions,
  deps: ControllerDeps,
  env: Env,
  parts: {
    cache: SnapshotCache;
    source: KubernetesSource;
    metrics: ServeMetrics;
    extensions: ControllerExtension[];
  },
): AdsService {
  const logger = env.logger.child({ component: 'xds' });
  const verifyToken =
    deps.verifyToken ?? tokenReviewVerifier({ kubeConfig: deps.kubeConfig, audience: options.tokenAudience });
  return new AdsService({
    cache: parts.cache,
    authenticate: tokenAuthenticator({
      verifyToken,
      serviceAccountOf: (proxyKey) => parts.source.serviceAccountOf(proxyKey),
      method: 'tokenreview',
    }),
    logger,
    clock: env.clock,
    events: combineEvents([
      withEnvoyVersions(
        parts.metrics.events,
        new EnvoyVersions(deps.registry, logger, options.supportedEnvoy),
      ),
      ...parts.extensions.map((e) => e.events),
    ]),
  });
}

function makeContext(
  options: ControllerOptions,
  deps: ControllerDeps,
  env: Env,
  parts: { source: KubernetesSource; cache: SnapshotCache; leadership: Leadership; ca: CaState },
): ControllerContext {
  return {
    kubeConfig: deps.kubeConfig,
    namespace: options.namespace,
    replicaId: options.replicaId,
    trustDomain: options.trustDomain,
    ca: parts.ca,
    ...env,
    registry: deps.registry,
    source: parts.source,
    cache: parts.cache,
    isLeader: () => parts.leadership.isLeader(),
    onLeadership: (started, stopped) => parts.leadership.subscribe(started, stopped),
  };
}

async function buildCore(options: ControllerOptions, deps: ControllerDeps): Promise<Core> {
  const env = envOf(deps);
  const { logger } = env;
  const ca = await loadOrCreateCa({
    kubeConfig: deps.kubeConfig,
    namespace: options.namespace,
    name: options.caSecret,
    trustDomain: options.trustDomain,
    clock: env.clock,
    logger: logger.child({ component: 'ca' }),
  });
  const cache = new SnapshotCache();
  const source = makeSource(options, deps, env);
  const leadership = new Leadership({ options, deps, ...env });
  const context = makeContext(options, deps, env, { source, cache, leadership, ca });
  const extensions = (deps.extensions ?? defaultExtensions(options)).map((factory) => factory(context));
  const metrics = new ServeMetrics(deps.registry, env.clock);
  const secrets = makeSecrets(options, deps, env, { ca, cache });
  const ads = makeAds(options, deps, env, { cache, source, metrics, extensions });
  const runner = new PipelineRunner({
    settings: { trustDomain: options.trustDomain, xds: options.xds },
    cache,
    source,
    timers: env.timers,
    clock: env.clock,
    logger,
    debounce: options.debounce,
    secrets,
    onBuilt: (report) => {
      metrics.recordBuild(report);
      for (const proxyKey of report.removed) ads.rejections.forgetProxy(proxyKey);
      onBuilt({ logger, extensions }, report);
    },
  });
  registerControllerMetrics(deps.registry, source, runner);
  const tls = makeTls(options, env, ca);
  const xds = new XdsServer(ads, logger.child({ component: 'xds' }));
  return { clock: env.clock, logger, cache, source, runner, secrets, tls, xds, leadership, extensions, ca };
}

/**
 * Ready once the first build is published, the xDS port is bound (a Service must not send proxies to a replica that
 * refuses connections) and every extension (e.g. the webhooks' certificate) is ready.
 */
function healthSource(core: Pick<Core, 'runner' | 'extensions' | 'xds'>): HealthSource {
  return {
    get ready(): boolean {
      return core.runner.ready && core.xds.listening && core.extensions.every((e) => e.ready?.() ?? true);
    },
    get lastBuild(): BuildStatus | undefined {
      return core.runner.lastBuild;
    },
  };
}

async function listenEndpoints(
  options: ControllerOptions,
  health: RequestListener,
  metrics: RequestListener,
): Promise<[HttpEndpoint, HttpEndpoint]> {
  const healthEndpoint = await listenHttp(options.healthListen, health);
  try {
    return [healthEndpoint, await listenHttp(options.metricsListen, metrics)];
  } catch (error) {
    await healthEndpoint.close();
    throw error;
  }
}

/** Starts the controller; see the module comment. Endpoints listen at once, the ADS port after the first build. */
export async function startController(
  options: ControllerOptions,
  deps: ControllerDeps,
): Promise<ControllerApp> {
  const core = await buildCore(options, deps);
  await core.tls.start();
  let endpoints: [HttpEndpoint, HttpEndpoint];
  try {
    endpoints = await listenEndpoints(
      options,
      healthHandler(healthSource(core)),
      metricsHandler(deps.registry, core.logger),
    );
  } catch (error) {
    core.tls.stop();
    core.secrets.stop();
    throw error;
  }
  core.logger.info(
    { health: endpoints[0].port, metrics: endpoints[1].port },
    'health and metrics endpoints listening',
  );
  return run(options, core, endpoints);
}

function run(options: ControllerOptions, core: Core, endpoints: [HttpEndpoint, HttpEndpoint]): ControllerApp {
  const { logger, runner, xds } = core;
  let closed = false;
  let reportFatal: (error: Error) => void = () => undefined;
  const fatal = new Promise<Error>((resolve) => (reportFatal = resolve));
  const toError = (error: unknown): Error => (error instanceof Error ? error : new Error(String(error)));
  const serving = runner.whenReady().then(async () => {
    if (closed) throw new Error('the controller was closed before the first build');
    const port = await xds.listen(formatListenAddress(options.xdsListen), core.tls.credentials);
    logger.info(
      { port, proxiesServed: core.cache.proxyKeys().length },
      'informers synced, first build published; xDS listening',
    );
    return port;
  });
  serving.catch((error: unknown) => {
    if (closed) return;
    logger.error({ err: error }, 'the xDS server cannot listen');
    reportFatal(toError(error));
  });
  runner.start().catch((error: unknown) => reportFatal(toError(error)));
  core.leadership.start();
  for (const extension of core.extensions) {
    Promise.resolve(extension.start?.()).catch((error: unknown) => {
      logger.error({ err: error, extension: extension.name }, 'extension failed to start');
      reportFatal(toError(error));
    });
  }
  return {
    cache: core.cache,
    runner,
    source: core.source,
    ca: core.ca,
    leadership: core.leadership,
    healthPort: endpoints[0].port,
    metricsPort: endpoints[1].port,
    serving,
    fatal,
    ready: () => runner.ready,
    lastBuild: () => runner.lastBuild,
    close: async (): Promise<void> => {
      if (closed) return;
      closed = true;
      for (const extension of core.extensions)
        await Promise.resolve(extension.stop?.()).catch(() => undefined);
      // Leader-only work has stopped: hand the Lease over now, not after the xDS drain.
      await core.leadership.stop();
      runner.stop();
      core.tls.stop();
      core.secrets.stop();
      await runner.settled();
      await xds.close(options.shutdownGraceMs ?? DEFAULT_SHUTDOWN_GRACE_MS);
      await Promise.all(endpoints.map((e) => e.close()));
      logger.info({}, 'aspen controller stopped');
    },
  };
}
