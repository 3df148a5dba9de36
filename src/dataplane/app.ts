/**
 * The dataplane assembled: state holder, key hasher, caller budgets, rate-limit backend, metrics and the gRPC
 * server with its three services, bound with the given credentials. Used by `aspen dataplane` and, on a loopback
 * port, by `aspen serve`. Effects (clock, logger, registry, backend) are passed in.
 */
import type { ServerCredentials } from '@grpc/grpc-js';
import type { Registry } from 'prom-client';
import type { Clock, Logger } from '../xds/server/types.js';
import { CallerBudget } from './apikeys/caller-budget.js';
import type { BucketSpec } from './ratelimit/bucket.js';
import { KeyHasher } from './key-hash.js';
import { DataplaneMetrics } from './metrics.js';
import type { RateLimitBackend } from './ratelimit/backend.js';
import { bindDataplane, createDataplaneServer } from './server.js';
import { StateHolder } from './state.js';

/** What a dataplane is built from. */
export interface DataplaneOptions {
  /** `host:port` to listen on. */
  listen: string;
  /** mTLS server credentials (client certificates required). */
  credentials: ServerCredentials;
  /** Trust domain of callers. */
  trustDomain: string;
  /** Counter store. */
  backend: RateLimitBackend;
  /** Failed API-key checks allowed per caller; default 20/s, 100 at once. */
  callerBudget?: BucketSpec;
  /** Time given to open calls on shutdown; default 2 s. */
  shutdownGraceMs?: number;
}

/** The effects a dataplane uses. */
export interface DataplaneEnv {
  /** Operational log. */
  logger: Logger;
  /** Audit log (one line per request record); default `logger.child({ log: 'audit' })`. */
  audit?: Logger;
  /** Metrics registry. */
  registry: Registry;
  /** Time source. */
  clock: Clock;
  /** Key hasher (tests pass one with a fixed pepper). */
  hasher?: KeyHasher;
}

/** A running dataplane. */
export interface Dataplane {
  /** The bound port. */
  readonly port: number;
  /** Where feeds put the state. */
  readonly state: StateHolder;
  /** The hasher Secrets must be hashed with. */
  readonly hasher: KeyHasher;
  /** Stops the server and the backend. */
  close(): Promise<void>;
}

/** Starts the dataplane; resolves once it listens. */
export async function startDataplane(options: DataplaneOptions, env: DataplaneEnv): Promise<Dataplane> {
  const state = new StateHolder();
  const hasher = env.hasher ?? new KeyHasher();
  const metrics = new DataplaneMetrics(env.registry);
  const logger = env.logger.child({ component: 'dataplane' });
  const current = (): ReturnType<() => StateHolder['current']> => state.current;
  const server = createDataplaneServer({
    trustDomain: options.trustDomain,
    metrics,
    logger,
    apiKeys: {
      state: current,
      hasher,
      budget: new CallerBudget(options.callerBudget),
      clock: env.clock,
      logger,
      metrics,
    },
    rateLimit: { state: current, backend: options.backend, clock: env.clock, logger, metrics },
    accessLog: { state: current, audit: env.audit ?? env.logger.child({ log: 'audit' }), logger, metrics },
  });
  const bound = await bindDataplane(server, options.listen, options.credentials);
  logger.info({ port: bound.port, backend: options.backend.name }, 'dataplane listening (mTLS)');
  return {
    port: bound.port,
    state,
    hasher,
    close: async () => {
      await bound.close(options.shutdownGraceMs ?? 2000);
      await options.backend.close();
    },
  };
}
