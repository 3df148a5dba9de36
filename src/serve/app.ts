/**
 * `aspen serve` assembled: the pipeline runner feeding a snapshot cache, the ADS server (listening only once the
 * first complete build is published), the health and metrics endpoints, and graceful shutdown. Effects (sockets,
 * watcher, timers, clock, logger) are all passed in or created here, at the edge.
 */
import type { RequestListener } from 'node:http';
import { ServerCredentials } from '@grpc/grpc-js';
import type { Registry } from 'prom-client';
import type { CaState, RandomSource } from '../ca/types.js';
import { SnapshotCache } from '../xds/cache/cache.js';
import { AdsService } from '../xds/server/ads.js';
import { fileModeAuthenticator } from '../xds/server/file-auth.js';
import { DEFAULT_SHUTDOWN_GRACE_MS, XdsServer } from '../xds/server/server.js';
import { systemClock } from '../xds/server/types.js';
import type { Clock, Logger } from '../xds/server/types.js';
import type { XdsTranslateConfig } from '../xds/translate/config.js';
import { formatListenAddress } from './address.js';
import { resolveServeCa } from './ca.js';
import type { ListenAddress } from './address.js';
import { healthHandler, listenHttp, metricsHandler } from './http.js';
import type { HttpEndpoint } from './http.js';
import { ServeMetrics } from './metrics.js';
import { PipelineRunner } from './runner.js';
import type { BuildStatus } from './runner.js';
import { systemTimers } from './debounce.js';
import type { Timers } from './debounce.js';
import { EnvoyVersions, withEnvoyVersions } from './envoy-version.js';
import type { EnvoyVersionRange } from './envoy-version.js';
import { WorkloadSecrets } from './secrets.js';
import { DEFAULT_XDS_DNS_NAMES, ServingTls } from './tls.js';
import { directoryWatcher } from './watcher.js';
import { ServeExtras } from './extras.js';
import type { ChangeWatcher } from './watcher.js';

/** What to serve and where. */
export interface ServeOptions {
  /** The directory of manifests. */
  dir: string;
  /** Namespace of objects whose manifest names none. */
  defaultNamespace: string;
  /** SPIFFE trust domain. */
  trustDomain: string;
  /** IR → Envoy settings. */
  xds: XdsTranslateConfig;
  /** ADS gRPC address. */
  xdsListen: ListenAddress;
  /** Plaintext ADS (the caller has checked the address is loopback); default false: TLS from the workload CA. */
  xdsInsecure?: boolean;
  /** DNS SANs of the xDS serving certificate; default `localhost`, `aspen.aspen-system.svc`. */
  xdsDnsNames?: readonly string[];
  /** Lifetime of each serving certificate; default 24 hours. */
  servingTtlMs?: number;
  /** Lifetime of workload certificates (SDS); default the CA's, 24 hours. */
  svidTtlMs?: number;
  /** Supported Envoy `major.minor` range (metric label and warnings); default 1.36–1.40. */
  supportedEnvoy?: EnvoyVersionRange;
  /** The workload CA (from `--ca-cert`/`--ca-key`); absent: an ephemeral one is generated at start-up. */
  ca?: CaState;
  /** Where to write the trust bundle (PEM) at start-up, if anywhere. */
  trustBundleOut?: string;
  /** `/healthz` and `/readyz`. */
  healthListen: ListenAddress;
  /** `/metrics`. */
  metricsListen: ListenAddress;
  /** Debounce periods (defaults 200 ms / 2 s). */
  debounce?: { quietMs: number; maxDelayMs: number };
  /** Time streams get to drain on shutdown (default 5 s). */
  shutdownGraceMs?: number;
  /** The per-request services (API-key check, rate limits, access log, mTLS); absent: not started. */
  dataplaneListen?: ListenAddress;
  /** The loopback-only admin endpoint (`GET /status` for `aspen status --serve`); absent: not started. */
  adminListen?: ListenAddress;
}

/** The effects `serve` uses, injectable for tests. */
export interface ServeDeps {
  /** Where everything logs. */
  logger: Logger;
  /** Registry of the metrics (not prom-client's global one). */
  registry: Registry;
  /** Time source; the system clock by default. */
  clock?: Clock;
  /** Debounce, certificate and rotation timers; the system timers by default. */
  timers?: Timers;
  /** Directory watcher; recursive fs.watch by default. */
  watcher?: ChangeWatcher;
  /** Renewal jitter of workload certificates; `Math.random` by default. */
  random?: RandomSource;
}

/** A running `aspen serve`. */
export interface ServeApp {
  /** The snapshot cache (one snapshot per proxy key). */
  readonly cache: SnapshotCache;
  /** The pipeline (last build, readiness). */
  readonly runner: PipelineRunner;
  /** Port of the health endpoints. */
  readonly healthPort: number;
  /** Port of the metrics endpoint. */
  readonly metricsPort: number;
  /** Port of the dataplane, when started. */
  readonly dataplanePort: number | undefined;
  /** Port of the admin endpoint, when started. */
  readonly adminPort: number | undefined;
  /** The workload CA (supplied or generated). */
  readonly ca: CaState;
  /** The proxies' workload certificates (SDS) and their rotation. */
  readonly secrets: WorkloadSecrets;
  /** Resolves with the bound ADS port once the first build is published and the server listens. */
  readonly serving: Promise<number>;
  /** Resolves (never rejects) if serving cannot continue, e.g. the ADS port cannot be bound. */
  readonly fatal: Promise<Error>;
  /** The last build. */
  lastBuild(): BuildStatus | undefined;
  /** Graceful shutdown: stop watching, stop accepting, end streams with the grace period, close the endpoints. */
  close(): Promise<void>;
}

/** Starts `serve`: endpoints listen at once; the ADS server listens after the first complete build. */
export async function startServe(options: ServeOptions, deps: ServeDeps): Promise<ServeApp> {
  const clock = deps.clock ?? systemClock;
  const logger = deps.logger;
  const timers = deps.timers ?? systemTimers;
  const ca = await resolveServeCa(options, clock, logger);
  const tls = await startServingTls(options, ca, { clock, timers, logger });
  const cache = new SnapshotCache();
  const secrets = new WorkloadSecrets({
    ca,
    cache,
    clock,
    random: deps.random ?? Math.random,
    timers,
    logger: logger.child({ component: 'sds' }),
    ...(options.svidTtlMs === undefined ? {} : { svidTtlMs: options.svidTtlMs }),
  });
  const metrics = new ServeMetrics(deps.registry, clock);
  const ads = new AdsService({
    cache,
    authenticate: fileModeAuthenticator(),
    logger: logger.child({ component: 'xds' }),
    clock,
    events: withEnvoyVersions(
      metrics.events,
      new EnvoyVersions(deps.registry, logger.child({ component: 'xds' }), options.supportedEnvoy),
    ),
  });
  const extras = new ServeExtras();
  const runner = new PipelineRunner({
    onLoaded: (loaded) => extras.loaded(loaded),
    settings: {
      dir: options.dir,
      defaultNamespace: options.defaultNamespace,
      trustDomain: options.trustDomain,
      xds: options.xds,
    },
    cache,
    watcher: deps.watcher ?? directoryWatcher(options.dir, logger),
    timers,
    clock,
    logger,
    debounce: options.debounce,
    secrets,
    onBuilt: (report) => {
      metrics.recordBuild(report);
      for (const proxyKey of report.removed) ads.rejections.forgetProxy(proxyKey);
    },
  });
  logger.warn(
    { authenticator: 'file-mode', tls: tls !== undefined },
    "DEVELOPMENT ONLY: proxies are identified by the node.cluster they claim (TLS authenticates the server, not the proxy); any client reaching the xDS port can obtain any workload's configuration and certificates",
  );
  const xds = new XdsServer(ads, logger.child({ component: 'xds' }));
  let endpoints: [HttpEndpoint, HttpEndpoint];
  try {
    endpoints = await listenEndpoints(options, healthHandler(runner), metricsHandler(deps.registry, logger));
  } catch (error) {
    tls?.stop();
    secrets.stop();
    throw error;
  }
  logger.info(
    { health: endpoints[0].port, metrics: endpoints[1].port },
    'health and metrics endpoints listening',
  );
  await startExtras(
    extras,
    options,
    { ca, ads, logger, registry: deps.registry, clock, timers },
    async () => {
      tls?.stop();
      secrets.stop();
      await Promise.all(endpoints.map((e) => e.close()));
    },
  );
  const credentials = tls?.credentials ?? ServerCredentials.createInsecure();
  return assemble({ options, logger, cache, runner, xds, endpoints, ca, credentials, tls, secrets, extras });
}

/** Starts the dataplane and admin endpoint; on failure runs `undo` (closing what serve opened) and rethrows. */
async function startExtras(
  extras: ServeExtras,
  options: ServeOptions,
  env: Parameters<ServeExtras['start']>[1],
  undo: () => Promise<void>,
): Promise<void> {
  try {
    await extras.start(options, env);
  } catch (error) {
    await undo();
    throw error;
  }
}

/** The serving certificate of the xDS port, issued and on its renewal timer; undefined with `xdsInsecure`. */
async function startServingTls(
  options: ServeOptions,
  ca: CaState,
  env: { clock: Clock; timers: Timers; logger: Logger },
): Promise<ServingTls | undefined> {
  if (options.xdsInsecure === true) return undefined;
  const tls = new ServingTls({
    ca,
    dnsNames: options.xdsDnsNames ?? DEFAULT_XDS_DNS_NAMES,
    ...(options.servingTtlMs === undefined ? {} : { ttlMs: options.servingTtlMs }),
    clock: env.clock,
    timers: env.timers,
    logger: env.logger.child({ component: 'tls' }),
  });
  await tls.start();
  return tls;
}

/** The health and metrics endpoints; neither stays open when the other cannot listen. */
async function listenEndpoints(
  options: ServeOptions,
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

/** The parts of a running serve. */
interface Parts {
  options: ServeOptions;
  logger: Logger;
  cache: SnapshotCache;
  runner: PipelineRunner;
  xds: XdsServer;
  endpoints: [HttpEndpoint, HttpEndpoint];
  ca: CaState;
  credentials: ServerCredentials;
  tls: ServingTls | undefined;
  secrets: WorkloadSecrets;
  extras: ServeExtras;
}

function assemble(parts: Parts): ServeApp {
  const { options, logger, cache, runner, xds, endpoints, credentials } = parts;
  let closed = false;
  let reportFatal: (error: Error) => void = () => undefined;
  const fatal = new Promise<Error>((resolve) => {
    reportFatal = resolve;
  });
  const serving = runner.whenReady().then(async () => {
    if (closed) throw new Error('serve was closed before the first build');
    return xds.listen(formatListenAddress(options.xdsListen), credentials);
  });
  serving.catch((error: unknown) => {
    if (closed) return;
    logger.error({ err: error }, 'the xDS server cannot listen');
    reportFatal(error instanceof Error ? error : new Error(String(error)));
  });
  runner
    .start()
    .catch((error: unknown) => reportFatal(error instanceof Error ? error : new Error(String(error))));
  return {
    cache,
    runner,
    ca: parts.ca,
    secrets: parts.secrets,
    healthPort: endpoints[0].port,
    metricsPort: endpoints[1].port,
    dataplanePort: parts.extras.dataplanePort,
    adminPort: parts.extras.adminPort,
    serving,
    fatal,
    lastBuild: () => runner.lastBuild,
    close: async (): Promise<void> => {
      if (closed) return;
      closed = true;
      runner.stop();
      parts.tls?.stop();
      parts.secrets.stop();
      await runner.settled();
      await xds.close(options.shutdownGraceMs ?? DEFAULT_SHUTDOWN_GRACE_MS);
      await Promise.all(endpoints.map((e) => e.close()));
      await parts.extras.close();
      logger.info({}, 'aspen serve stopped');
    },
  };
}
