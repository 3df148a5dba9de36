/**
 * The Redis backend: counters shared by every dataplane replica, each take one atomic script call (redis-script.ts,
 * sent once and then called by its SHA). Fails fast: no offline queue, a short command timeout, so an unreachable
 * Redis turns into the limit's failure mode within the sidecar's 100 ms budget instead of a queue. Reconnects in the
 * background. Supports AUTH (password, optional user name) and TLS.
 */
import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import type { RedisOptions } from 'ioredis';
import type { Logger } from '../../xds/server/types.js';
import type { RateLimitBackend, TakeRequest } from './backend.js';
import type { TakeResult } from './bucket.js';
import { ttlMs } from './bucket.js';
import { TAKE_SCRIPT } from './redis-script.js';

/** How to reach Redis. */
export interface RedisBackendOptions {
  /** Host name or IP. */
  host: string;
  /** Port. */
  port: number;
  /** AUTH password (from `--redis-password-file`); never logged. */
  password?: string;
  /** AUTH user name (Redis 6 ACLs). */
  username?: string;
  /** TLS; `ca` adds trusted roots (PEM) to the system ones. */
  tls?: { ca?: string; servername?: string };
  /** Per-command timeout; default 50 ms. */
  commandTimeoutMs?: number;
  /** Prefix of every key; default `aspen:rl:`. */
  keyPrefix?: string;
}

/** Default per-command timeout: half the sidecar's 100 ms budget for the whole call. */
export const DEFAULT_REDIS_COMMAND_TIMEOUT_MS = 50;

const SCRIPT_SHA = createHash('sha1').update(TAKE_SCRIPT).digest('hex');

function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOSCRIPT');
}

function toResult(reply: unknown): TakeResult {
  if (!Array.isArray(reply) || reply.length !== 3)
    throw new Error('unexpected reply from the rate-limit script');
  const [allowed, remaining, resetMs] = reply.map(Number);
  return { allowed: allowed === 1, remaining: remaining ?? 0, resetMs: resetMs ?? 0 };
}

/** ioredis options from ours. */
export function redisOptions(options: RedisBackendOptions): RedisOptions {
  return {
    host: options.host,
    port: options.port,
    ...(options.password === undefined ? {} : { password: options.password }),
    ...(options.username === undefined ? {} : { username: options.username }),
    ...(options.tls === undefined ? {} : { tls: { ...options.tls } }),
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: options.commandTimeoutMs ?? DEFAULT_REDIS_COMMAND_TIMEOUT_MS,
    connectTimeout: 2000,
    retryStrategy: (times: number) => Math.min(times * 100, 2000),
    lazyConnect: false,
  };
}

/** Counters in Redis. */
export class RedisBackend implements RateLimitBackend {
  readonly name = 'redis';
  private readonly client: Redis;
  private readonly prefix: string;

  /** Connects (in the background); errors are logged without the password. */
  constructor(options: RedisBackendOptions, logger: Logger) {
    this.prefix = options.keyPrefix ?? 'aspen:rl:';
    this.client = new Redis(redisOptions(options));
    let lastError = '';
    this.client.on('error', (error: Error) => {
      if (error.message === lastError) return;
      lastError = error.message;
      logger.warn({ err: { message: error.message } }, 'Redis connection error');
    });
    this.client.on('ready', () => {
      lastError = '';
      logger.info({ host: options.host, port: options.port }, 'Redis connected');
    });
  }

  /** Resolves once connected (or rejects after `timeoutMs`). */
  async ready(timeoutMs = 5000): Promise<void> {
    if (this.client.status === 'ready') return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('Redis not reachable')), timeoutMs);
      this.client.once('ready', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** See {@link RateLimitBackend.take}. */
  async take(request: TakeRequest, nowMs: number): Promise<TakeResult> {
    const key = `${this.prefix}${createHash('sha256').update(request.bucket).digest('hex')}`;
    const { requests, intervalMs, burst } = request.spec;
    const args = [requests, intervalMs, burst, request.hits, nowMs, ttlMs(request.spec)].map(String);
    try {
      return toResult(await this.client.evalsha(SCRIPT_SHA, 1, key, ...args));
    } catch (error) {
      if (!isNoScript(error)) throw error;
      return toResult(await this.client.eval(TAKE_SCRIPT, 1, key, ...args));
    }
  }

  /** See {@link RateLimitBackend.close}. */
  async close(): Promise<void> {
    this.client.disconnect();
    return Promise.resolve();
  }
}
