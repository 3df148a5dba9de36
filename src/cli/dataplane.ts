/**
 * `aspen dataplane`: the per-request services (API-key check, global rate limits, access log) on one mTLS gRPC
 * port, fed from the cluster (ApiSecurityPolicies and the Secrets they reference), with health and metrics
 * endpoints. Checks the flags (exit 2 on a usage error) and runs until SIGINT/SIGTERM (exit 0).
 */
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { KubeConfig } from '@kubernetes/client-node';
import { Registry } from 'prom-client';
import { startDataplane } from '../dataplane/app.js';
import type { Dataplane } from '../dataplane/app.js';
import { KubeFeed } from '../dataplane/kube-feed.js';
import type { RateLimitBackend } from '../dataplane/ratelimit/backend.js';
import { MemoryBackend } from '../dataplane/ratelimit/memory.js';
import { RedisBackend } from '../dataplane/ratelimit/redis.js';
import type { RedisBackendOptions } from '../dataplane/ratelimit/redis.js';
import { credentialsFromDir } from '../dataplane/tls.js';
import { createLogger, isLogLevel, LOG_LEVELS } from '../log.js';
import type { Logger } from '../log.js';
import { formatListenAddress, parseListenAddress } from '../serve/address.js';
import type { ListenAddress } from '../serve/address.js';
import { systemTimers } from '../serve/debounce.js';
import { listenHttp, metricsHandler } from '../serve/http.js';
import type { HttpEndpoint } from '../serve/http.js';
import { systemClock } from '../xds/server/types.js';
import { ExitCode, type CliIO } from './io.js';
import type { ServeRuntime } from './serve.js';
import { processRuntime } from './serve.js';

/** Flags of `aspen dataplane` (contracts.md), as parsed. */
export interface DataplaneCliOptions {
  /** gRPC address (mTLS). */
  listen: string;
  /** Prometheus address. */
  metricsListen: string;
  /** Health address. */
  healthListen: string;
  /** Directory with tls.crt, tls.key, ca.crt. */
  tlsDir: string;
  /** memory or redis. */
  rateLimitBackend: string;
  /** host:port of Redis. */
  redisAddress?: string;
  /** File holding the Redis password. */
  redisPasswordFile?: string;
  /** Redis user name (ACL). */
  redisUsername?: string;
  /** TLS to Redis. */
  redisTls?: boolean;
  /** Extra CA (PEM file) for Redis TLS. */
  redisCaFile?: string;
  /** Redis command timeout (ms). */
  redisTimeoutMs: string;
  /** kubeconfig path. */
  kubeconfig?: string;
  /** SPIFFE trust domain. */
  trustDomain: string;
  /** Secret re-read period (ms). */
  secretResyncMs: string;
  /** Log level. */
  logLevel: string;
  /** json or pretty. */
  logFormat: string;
}

interface Resolved {
  listen: ListenAddress;
  metrics: ListenAddress;
  health: ListenAddress;
  redis?: Omit<RedisBackendOptions, 'password'> & { passwordFile?: string };
}

function address(flag: string, text: string, errors: string[]): ListenAddress {
  const parsed = parseListenAddress(text);
  if (typeof parsed === 'string') errors.push(`${flag}: ${parsed}`);
  return typeof parsed === 'string' ? { host: '', port: 0 } : parsed;
}

function positive(flag: string, text: string, errors: string[]): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value <= 0)
    errors.push(`${flag} must be a positive number of milliseconds`);
  return value;
}

function redisSettings(options: DataplaneCliOptions, errors: string[]): Resolved['redis'] {
  if (options.rateLimitBackend === 'memory') return undefined;
  if (options.rateLimitBackend !== 'redis') {
    errors.push('--rate-limit-backend must be memory or redis');
    return undefined;
  }
  if (options.redisAddress === undefined) {
    errors.push('--rate-limit-backend redis needs --redis-address <host:port>');
    return undefined;
  }
  const target = address('--redis-address', options.redisAddress, errors);
  return {
    host: target.host,
    port: target.port,
    commandTimeoutMs: positive('--redis-timeout-ms', options.redisTimeoutMs, errors),
    ...(options.redisUsername === undefined ? {} : { username: options.redisUsername }),
    ...(options.redisPasswordFile === undefined ? {} : { passwordFile: options.redisPasswordFile }),
    ...(options.redisTls === true ? { tls: {} } : {}),
  };
}

/** The checked flags, or the usage errors. */
export function resolveDataplaneFlags(options: DataplaneCliOptions): Resolved | string[] {
  const errors: string[] = [];
  const resolved: Resolved = {
    listen: address('--listen', options.listen, errors),
    metrics: address('--metrics-listen', options.metricsListen, errors),
    health: address('--health-listen', options.healthListen, errors),
  };
  const redis = redisSettings(options, errors);
  if (redis !== undefined) resolved.redis = redis;
  if (options.redisCaFile !== undefined && options.redisTls !== true)
    errors.push('--redis-ca-file needs --redis-tls');
  if (!isLogLevel(options.logLevel)) errors.push(`--log-level must be one of: ${LOG_LEVELS.join(', ')}`);
  if (options.logFormat !== 'json' && options.logFormat !== 'pretty')
    errors.push('--log-format must be json or pretty');
  positive('--secret-resync-ms', options.secretResyncMs, errors);
  return errors.length > 0 ? errors : resolved;
}

async function readText(flag: string, path: string): Promise<string> {
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch {
    throw new Error(`${flag} ${path}: not a readable file`);
  }
}

async function backendFrom(
  resolved: Resolved,
  options: DataplaneCliOptions,
  logger: Logger,
): Promise<RateLimitBackend> {
  const redis = resolved.redis;
  if (redis === undefined) return new MemoryBackend();
  const { passwordFile, ...rest } = redis;
  const password =
    passwordFile === undefined ? undefined : await readText('--redis-password-file', passwordFile);
  const ca =
    options.redisCaFile === undefined ? undefined : await readText('--redis-ca-file', options.redisCaFile);
  return new RedisBackend(
    {
      ...rest,
      ...(password === undefined ? {} : { password }),
      ...(rest.tls === undefined ? {} : { tls: ca === undefined ? {} : { ca } }),
    },
    logger.child({ component: 'redis' }),
  );
}

/** The cluster configuration: --kubeconfig, else in-cluster, else $KUBECONFIG / ~/.kube/config. */
export function loadKubeConfig(path: string | undefined): KubeConfig {
  const kc = new KubeConfig();
  if (path !== undefined) kc.loadFromFile(path);
  else if (process.env['KUBERNETES_SERVICE_HOST'] !== undefined) kc.loadFromCluster();
  else kc.loadFromDefault();
  return kc;
}

function send(res: ServerResponse, code: number, body: string): void {
  res.writeHead(code, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
  res.end(body);
}

/** `/healthz` (always 200) and `/readyz` (200 once the first state is built). */
export function dataplaneHealth(ready: () => boolean): RequestListener {
  return (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/healthz') send(res, 200, 'ok\n');
    else if (path === '/readyz') send(res, ready() ? 200 : 503, ready() ? 'ready\n' : 'no state yet\n');
    else send(res, 404, 'not found\n');
  };
}

interface Running {
  dataplane: Dataplane;
  feed: KubeFeed;
  endpoints: HttpEndpoint[];
}

async function start(options: DataplaneCliOptions, resolved: Resolved, logger: Logger): Promise<Running> {
  const registry = new Registry();
  const backend = await backendFrom(resolved, options, logger);
  const dataplane = await startDataplane(
    {
      listen: formatListenAddress(resolved.listen),
      credentials: credentialsFromDir(options.tlsDir),
      trustDomain: options.trustDomain,
      backend,
    },
    { logger, registry, clock: systemClock },
  );
  const endpoints: HttpEndpoint[] = [];
  try {
    endpoints.push(
      await listenHttp(
        resolved.health,
        dataplaneHealth(() => dataplane.state.isReady),
      ),
    );
    endpoints.push(await listenHttp(resolved.metrics, metricsHandler(registry, logger)));
    return { dataplane, feed: await startFeed(options, dataplane, logger), endpoints };
  } catch (error) {
    await Promise.all(endpoints.map((e) => e.close()));
    await dataplane.close();
    throw error;
  }
}

/** The cluster feed, started (its first state built); stopped again when it cannot start. */
async function startFeed(
  options: DataplaneCliOptions,
  dataplane: Dataplane,
  logger: Logger,
): Promise<KubeFeed> {
  const feed = new KubeFeed({
    kubeconfig: loadKubeConfig(options.kubeconfig),
    trustDomain: options.trustDomain,
    hasher: dataplane.hasher,
    holder: dataplane.state,
    timers: systemTimers,
    logger: logger.child({ component: 'kube-feed' }),
    resyncMs: Number(options.secretResyncMs),
  });
  try {
    await feed.start();
  } catch (error) {
    feed.stop();
    throw error;
  }
  return feed;
}

/** Runs `aspen dataplane` until shutdown; returns the exit code. */
export async function runDataplane(
  options: DataplaneCliOptions,
  io: CliIO,
  runtime?: ServeRuntime,
): Promise<number> {
  const resolved = resolveDataplaneFlags(options);
  if (Array.isArray(resolved)) {
    for (const message of resolved) io.stderr(`aspen dataplane: ${message}\n`);
    return ExitCode.Usage;
  }
  const proc = runtime ?? processRuntime();
  const level = isLogLevel(options.logLevel) ? options.logLevel : 'info';
  const logger = createLogger({ level, pretty: options.logFormat === 'pretty', write: io.stderr });
  let running: Running;
  try {
    running = await start(options, resolved, logger);
  } catch (error) {
    logger.error({ err: error }, 'aspen dataplane could not start');
    return ExitCode.Problems;
  }
  const signal = await proc.shutdown;
  logger.info({ signal }, 'shutting down');
  running.feed.stop();
  await running.dataplane.close();
  await Promise.all(running.endpoints.map((e) => e.close()));
  return ExitCode.Ok;
}
