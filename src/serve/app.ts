/**
 * `aspen serve` assembled: the pipeline runner feeding a snapshot cache, the ADS server (listening only once the
 * first complete build is published), the health and metrics endpoints, and graceful shutdown. Effects (sockets,
 * watcher, timers, clock, logger) are all passed in or created here, at the edge.
 */
import type { RequestListener } from 'node:http';
import type { ServerCredentials } from '@grpc/grpc-js';
import type { Registry } from 'prom-client';
import { SnapshotCache } from '../xds/cache/cache.js';
import { AdsService } from '../xds/server/ads.js';
import { fileModeAuthenticator } from '../xds/server/file-auth.js';
import { DEFAULT_SHUTDOWN_GRACE_MS, XdsServer } from '../xds/server/server.js';
import { systemClock } from '../xds/server/types.js';
import type { Clock, Logger } from '../xds/server/types.js';
import type { XdsTranslateConfig } from '../xds/translate/config.js';
import { formatListenAddress } from './address.js';
import type { ListenAddress } from './address.js';
import { healthHandler, listenHttp, metricsHandler } from './http.js';
import type { HttpEndpoint } from './http.js';
import { ServeMetrics } from './metrics.js';
import { PipelineRunner } from './runner.js';
import type { BuildStatus } from './runner.js';
import { systemTimers } from './debounce.js';
import type { Timers } from './debounce.js';
import { directoryWatcher } from './watcher.js';
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
  /** Transport security of the ADS port (the caller has checked that insecure means loopback). */
  xdsCredentials: ServerCredentials;
  /** `/healthz` and `/readyz`. */
  healthListen: ListenAddress;
  /** `/metrics`. */
  metricsListen: ListenAddress;
  /** Debounce periods (defaults 200 ms / 2 s). */
  debounce?: { quietMs: number; maxDelayMs: number };
  /** Time streams get to drain on shutdown (default 5 s). */
  shutdownGraceMs?: number;
}

/** The effects `serve` uses, injectable for tests. */
export interface ServeDeps {
  /** Where everything logs. */
  logger: Logger;
  /** Registry of the metrics (not prom-client's global one). */
  registry: Registry;
  /** Time source; the system clock by default. */
  clock?: Clock;
  /** Debounce timers; the system timers by default. */
  timers?: Timers;
  /** Directory watcher; recursive fs.watch by default. */
  watcher?: ChangeWatcher;
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
  const cache = new SnapshotCache();
  const metrics = new ServeMetrics(deps.registry, clock);
  const ads = new AdsService({
    cache,
    authenticate: fileModeAuthenticator(),
    logger: logger.child({ component: 'xds' }),
    clock,
    events: metrics.events,
  });
  const runner = new PipelineRunner({
    settings: {
      dir: options.dir,
      defaultNamespace: options.defaultNamespace,
      trustDomain: options.trustDomain,
      xds: options.xds,
    },
    cache,
    watcher: deps.watcher ?? directoryWatcher(options.dir, logger),
    timers: deps.timers ?? systemTimers,
    clock,
    logger,
    debounce: options.debounce,
    onBuilt: (report) => {
      metrics.recordBuild(report);
      for (const proxyKey of report.removed) ads.rejections.forgetProxy(proxyKey);
    },
  });
  logger.warn(
    { authenticator: 'file-mode' },
    "DEVELOPMENT ONLY: proxies are identified by the node.cluster they claim; any client reaching the xDS port can obtain any workload's configuration",
  );
  const xds = new XdsServer(ads, logger.child({ component: 'xds' }));
  const endpoints = await listenEndpoints(
    options,
    healthHandler(runner),
    metricsHandler(deps.registry, logger),
  );
  logger.info(
    { health: endpoints[0].port, metrics: endpoints[1].port },
    'health and metrics endpoints listening',
  );
  return assemble({ options, logger, cache, runner, xds, endpoints });
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
}

function assemble(parts: Parts): ServeApp {
  const { options, logger, cache, runner, xds, endpoints } = parts;
  let closed = false;
  let reportFatal: (error: Error) => void = () => undefined;
  const fatal = new Promise<Error>((resolve) => {
    reportFatal = resolve;
  });
  const serving = runner.whenReady().then(async () => {
    if (closed) throw new Error('serve was closed before the first build');
    return xds.listen(formatListenAddress(options.xdsListen), options.xdsCredentials);
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
    healthPort: endpoints[0].port,
    metricsPort: endpoints[1].port,
    serving,
    fatal,
    lastBuild: () => runner.lastBuild,
    close: async (): Promise<void> => {
      if (closed) return;
      closed = true;
      runner.stop();
      await runner.settled();
      await xds.close(options.shutdownGraceMs ?? DEFAULT_SHUTDOWN_GRACE_MS);
      await Promise.all(endpoints.map((e) => e.close()));
      logger.info({}, 'aspen serve stopped');
    },
  };
}
