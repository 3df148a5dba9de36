/**
 * Settings and effects of `aspen controller` (flags in contracts.md; the CLI parses them into these types).
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { Registry } from 'prom-client';
import type { RandomSource } from '../ca/types.js';
import type { KubeTransport } from '../provider/kubernetes/transport.js';
import type { Backoff } from '../provider/kubernetes/reflector.js';
import type { ListenAddress } from '../serve/address.js';
import type { Timers } from '../serve/debounce.js';
import type { EnvoyVersionRange } from '../serve/envoy-version.js';
import type { VerifyToken } from '../xds/sds/token-auth.js';
import type { Clock, Logger } from '../xds/server/types.js';
import type { XdsTranslateConfig } from '../xds/translate/config.js';
import type { ExtensionFactory } from './extension.js';
import type { LeaderTiming } from './leader.js';

/** Default `--ca-secret`. */
export const DEFAULT_CA_SECRET = 'aspen-ca';
/** Default `--namespace`. */
export const DEFAULT_NAMESPACE = 'aspen-system';

/** What `aspen controller` serves and where. */
export interface ControllerOptions {
  /** aspen's own namespace (CA Secret, Lease, sync reports). */
  namespace: string;
  /** SPIFFE trust domain. */
  trustDomain: string;
  /** This replica's id (Lease holder, sync report name). */
  replicaId: string;
  /** Name of the CA Secret in `namespace`. */
  caSecret: string;
  /** IR → Envoy settings (dataplane address included). */
  xds: XdsTranslateConfig;
  /** ADS gRPC address (always TLS, serving certificate from the workload CA). */
  xdsListen: ListenAddress;
  /** DNS SANs of the xDS serving certificate; default `aspen.<ns>.svc`, `aspen.<ns>.svc.cluster.local`, `localhost`. */
  xdsDnsNames?: readonly string[];
  /** `/healthz` and `/readyz`. */
  healthListen: ListenAddress;
  /** `/metrics`. */
  metricsListen: ListenAddress;
  /** Campaign for leadership (default true); without it this replica never leads (never writes status). */
  leaderElect?: boolean;
  /** Lease timing (default 15 s / 10 s / 2 s). */
  leaderTiming?: LeaderTiming;
  /** The audience proxy tokens must be bound to (default `aspen`). */
  tokenAudience?: string;
  /** Debounce periods (defaults 200 ms / 2 s). */
  debounce?: { quietMs: number; maxDelayMs: number };
  /** Backoff of failed lists and watches (default 1 s doubling to 30 s). */
  informerBackoff?: Backoff;
  /** Lifetime of each xDS serving certificate; default 24 hours. */
  servingTtlMs?: number;
  /** Lifetime of workload certificates; default 24 hours. */
  svidTtlMs?: number;
  /** Supported Envoy range; default 1.36–1.40. */
  supportedEnvoy?: EnvoyVersionRange;
  /** Time streams get to drain on shutdown (default 5 s). */
  shutdownGraceMs?: number;
}

/** The effects the controller uses, injectable for tests. */
export interface ControllerDeps {
  /** API server access. */
  kubeConfig: KubeConfig;
  /** Where everything logs. */
  logger: Logger;
  /** Metrics registry. */
  registry: Registry;
  /** Time source; the system clock by default. */
  clock?: Clock;
  /** Timers (debounce, backoff, certificates, election); the system timers by default. */
  timers?: Timers;
  /** Renewal jitter; `Math.random` by default. */
  random?: RandomSource;
  /** List/watch; client-node over `kubeConfig` by default. */
  transport?: KubeTransport;
  /** Proxy token check; TokenReview over `kubeConfig` by default. */
  verifyToken?: VerifyToken;
  /** Parts started with the controller; default `defaultExtensions()` (status reporting); see extension.ts. */
  extensions?: readonly ExtensionFactory[];
}

/** The default DNS SANs of the xDS serving certificate for aspen's namespace. */
export function defaultXdsDnsNames(namespace: string): string[] {
  return [`aspen.${namespace}.svc`, `aspen.${namespace}.svc.cluster.local`, 'localhost'];
}
