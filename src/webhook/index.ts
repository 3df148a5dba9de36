/**
 * aspen's admission webhooks, ready to be started by `aspen controller` (or standalone): {@link startWebhooks}
 * listens on HTTPS (`/inject`, `/validate`, `/healthz`), keeps its serving certificate current (self-managed webhook
 * CA in Secret `aspen-webhook-tls`, or cert-manager files), patches the caBundle into `aspen-injector` and
 * `aspen-validator` (leader only), and runs the failure-policy self-test (leader only).
 */
import { randomUUID } from 'node:crypto';
import type { Registry } from 'prom-client';
import type { ResourceSnapshot } from '../provider/snapshot.js';
import { parseListenAddress } from '../serve/address.js';
import { systemTimers, type Timers } from '../serve/debounce.js';
import { silentLogger, systemClock, type Clock, type Logger } from '../xds/server/types.js';
import { reviewPod } from './admission/inject-review.js';
import { reviewPolicy } from './admission/validate-review.js';
import { FileTls } from './certs/files.js';
import type { RotationPolicy } from './certs/plan.js';
import { SelfManagedTls } from './certs/self-managed.js';
import type { TlsSource, TlsUpdate } from './certs/source.js';
import { injectionSettings, type InjectionSettings } from './inject/settings.js';
import type { WebhookKubeClient } from './kube/client.js';
import { SelfTestLoop } from './self-test-loop.js';
import type { SelfTestOutcome } from './self-test.js';
import { WebhookServer, type ReviewHandler } from './server/https.js';
import { WebhookMetrics } from './metrics.js';
import { policyValidator, type PolicyValidator } from './validate/validator.js';

export { injectorConfiguration, validatorConfiguration } from './configurations.js';
export type { ConfigurationOptions } from './configurations.js';
export { kubeWebhookClient } from './kube/client-node.js';
export { nativeSidecarsFromVersion, serverHasNativeSidecars } from './kube/version.js';
export type { WebhookKubeClient } from './kube/client.js';
export type { InjectionSettings } from './inject/settings.js';
export type { PolicyValidator, PolicyVerdict } from './validate/validator.js';

/** Where the serving certificate comes from. */
export type WebhookTlsOptions =
  | {
      /** aspen's own webhook CA, Secret `aspen-webhook-tls` (`--webhook-cert-source self`). */
      readonly source: 'self';
      /** Lifetimes and overlap; defaults in `certs/plan.ts`. */
      readonly policy?: RotationPolicy;
      /** DNS names; default `aspen.<ns>.svc`, `aspen.<ns>.svc.cluster.local`. */
      readonly dnsNames?: readonly string[];
    }
  | {
      /** tls.crt/tls.key/ca.crt from a directory (`--webhook-cert-source external --webhook-cert-dir`). */
      readonly source: 'external';
      /** The directory. */
      readonly dir: string;
    };

/** Options of {@link startWebhooks}. */
export interface WebhookOptions {
  /** `host:port` to listen on (`--webhook-listen`, default `0.0.0.0:9443`). */
  readonly listen: string;
  /** aspen's namespace (`--namespace`). */
  readonly namespace: string;
  /** SPIFFE trust domain (`--trust-domain`). */
  readonly trustDomain: string;
  /** TLS source. */
  readonly tls: WebhookTlsOptions;
  /** Injection settings besides namespace, trust domain and trust bundle (images, resources, native sidecars, …). */
  readonly injection?: Partial<Omit<InjectionSettings, 'namespace' | 'trustDomain' | 'trustBundlePem'>>;
  /** Body limit in bytes; default 4 MiB. */
  readonly maxBodyBytes?: number;
}

/** What {@link startWebhooks} uses from the rest of the controller. */
export interface WebhookDeps {
  /** The narrow API client (see `kubeWebhookClient`). */
  readonly client: WebhookKubeClient;
  /** True while this replica leads: only the leader writes the Secret, patches configurations, runs the self-test. */
  readonly isLeader: () => boolean;
  /** The workload CA's current trust bundle (PEM), written into injected pods. */
  readonly trustBundle: () => string;
  /** The validator; default `policyValidator` (validatePolicy + audit warnings). */
  readonly validate?: PolicyValidator;
  /** The controller's current snapshot, for audit warnings in context (default validator only). */
  readonly snapshot?: () => ResourceSnapshot | undefined;
  /** Namespace labels; default `client.namespaceLabels` (pass an informer cache lookup to save API calls). */
  readonly namespaceLabels?: (name: string) => Promise<Readonly<Record<string, string>> | undefined>;
  /** Clock; default the system clock. */
  readonly clock?: Clock;
  /** Timers; default the system timers. */
  readonly timers?: Timers;
  /** Logger; default silent. */
  readonly logger?: Logger;
  /** Registry for the webhook metrics (`aspen_webhook_*`); none when absent. */
  readonly metrics?: Registry;
}

/** Running webhooks. */
export interface Webhooks {
  /** The bound port. */
  readonly port: number;
  /** True once a serving certificate is loaded. */
  ready(): boolean;
  /** The caBundle (PEM) clients verify the current serving certificate with; empty before the first. */
  caBundle(): string;
  /** Syncs certificates now (call on becoming leader). */
  syncCertificates(): Promise<void>;
  /** Runs the self-test now (call on becoming leader); undefined on a follower. */
  selfTest(): Promise<SelfTestOutcome | undefined>;
  /** Stops timers and the server. */
  close(): Promise<void>;
}

function tlsSource(
  options: WebhookOptions,
  deps: WebhookDeps,
  context: { timers: Timers; clock: Clock; logger: Logger },
): TlsSource {
  if (options.tls.source === 'external') {
    return new FileTls({ dir: options.tls.dir, timers: context.timers, logger: context.logger });
  }
  return new SelfManagedTls({
    client: deps.client,
    namespace: options.namespace,
    ...(options.tls.dnsNames === undefined ? {} : { dnsNames: options.tls.dnsNames }),
    ...(options.tls.policy === undefined ? {} : { policy: options.tls.policy }),
    isLeader: deps.isLeader,
    clock: context.clock,
    timers: context.timers,
    logger: context.logger,
  });
}

function reviewHandlers(
  options: WebhookOptions,
  deps: WebhookDeps,
  context: { logger: Logger; metrics: WebhookMetrics | undefined },
): Record<string, ReviewHandler> {
  const { logger, metrics } = context;
  const settings = (): InjectionSettings =>
    injectionSettings({
      ...options.injection,
      namespace: options.namespace,
      trustDomain: options.trustDomain,
      trustBundlePem: deps.trustBundle(),
    });
  const validate =
    deps.validate ??
    policyValidator({
      trustDomain: options.trustDomain,
      ...(deps.snapshot === undefined ? {} : { snapshot: deps.snapshot }),
    });
  const namespaceLabels = deps.namespaceLabels ?? ((name: string) => deps.client.namespaceLabels(name));
  const measured = (path: string, handler: ReviewHandler): ReviewHandler =>
    metrics === undefined
      ? handler
      : async (request) => {
          const started = performance.now();
          const response = await handler(request);
          metrics.review(path, response, (performance.now() - started) / 1000);
          return response;
        };
  return {
    '/inject': measured('/inject', (request) => reviewPod(request, { settings, namespaceLabels, logger })),
    '/validate': measured('/validate', (request) => reviewPolicy(request, { validate, logger })),
  };
}

function serve(
  server: WebhookServer,
  source: TlsSource,
  context: { logger: Logger; metrics: WebhookMetrics | undefined },
): () => TlsUpdate | undefined {
  let current: TlsUpdate | undefined;
  source.onUpdate((update) => {
    try {
      server.setCertificate(update);
      current = update;
      context.metrics?.certificate(update.notAfter);
      const notAfter = update.notAfter?.toISOString() ?? '';
      context.logger.info({ notAfter }, 'webhook serving certificate loaded');
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      context.logger.warn(
        { err: reason },
        'webhook serving certificate rejected (key and certificate do not match?)',
      );
    }
  });
  return () => current;
}

/** Starts the webhooks: listens at once, then loads the certificate and starts the leader's loops. */
export async function startWebhooks(options: WebhookOptions, deps: WebhookDeps): Promise<Webhooks> {
  const address = parseListenAddress(options.listen);
  if (typeof address === 'string') throw new Error(`--webhook-listen: ${address}`);
  const logger = (deps.logger ?? silentLogger).child({ component: 'webhook' });
  const context = { timers: deps.timers ?? systemTimers, clock: deps.clock ?? systemClock, logger };
  const metrics = deps.metrics === undefined ? undefined : new WebhookMetrics(deps.metrics);
  const server = new WebhookServer({
    handlers: reviewHandlers(options, deps, { logger, metrics }),
    ...(metrics === undefined ? {} : { onHttpError: (status: number) => metrics.httpError(status) }),
    ...(options.maxBodyBytes === undefined ? {} : { maxBodyBytes: options.maxBodyBytes }),
    logger,
  });
  const source = tlsSource(options, deps, context);
  const current = serve(server, source, { logger, metrics });
  const port = await server.listen(address.host, address.port);
  const selfTest = new SelfTestLoop({
    client: deps.client,
    namespace: options.namespace,
    isLeader: deps.isLeader,
    nonce: randomUUID,
    ...context,
  });
  await source.start();
  selfTest.start();
  return {
    port,
    ready: () => current() !== undefined,
    caBundle: () => current()?.caBundlePem ?? '',
    syncCertificates: async () => {
      if (source instanceof SelfManagedTls) await source.sync();
      else if (source instanceof FileTls) await source.poll();
    },
    selfTest: () => selfTest.run(),
    close: async () => {
      source.stop();
      selfTest.stop();
      await server.close();
    },
  };
}
