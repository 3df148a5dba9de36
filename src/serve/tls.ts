/**
 * TLS of the xDS port in `aspen serve`: a serving certificate issued by the workload CA, handed to grpc-js through an
 * in-memory certificate provider, and replaced by a timer before it expires. The listening socket stays bound: a new
 * certificate changes the server's secure context, so open streams are not dropped. Timers are injected.
 */
import { experimental } from '@grpc/grpc-js';
import type { ServerCredentials } from '@grpc/grpc-js';
import type { CaState } from '../ca/types.js';
import { issueServingCert } from '../xds/sds/serving.js';
import type { Clock, Logger } from '../xds/server/types.js';
import type { TimerHandle, Timers } from './debounce.js';

/** DNS names of the serving certificate when none are given. */
export const DEFAULT_XDS_DNS_NAMES: readonly string[] = ['localhost', 'aspen.aspen-system.svc'];
/** Retry delay after a failed reissue. */
export const SERVING_RETRY_MS = 60 * 1000;
/** The longest delay a Node timer takes (about 24.8 days); longer waits are re-planned on wake-up. */
const MAX_TIMER_MS = 2 ** 31 - 1;

type IdentityUpdate = experimental.IdentityCertificateUpdate;
type IdentityListener = experimental.IdentityCertificateUpdateListener;

/** A grpc-js certificate provider holding the current serving certificate in memory (no CA: no client certificates). */
export class MemoryCertificateProvider implements experimental.CertificateProvider {
  private identity: IdentityUpdate | null = null;
  private readonly listeners = new Set<IdentityListener>();

  /** Replaces the certificate and key; every listener (the bound server) gets them. */
  update(certificatePem: string, privateKeyPem: string): void {
    this.identity = { certificate: Buffer.from(certificatePem), privateKey: Buffer.from(privateKeyPem) };
    for (const listener of [...this.listeners]) listener(this.identity);
  }

  /** No CA certificates: client certificates are not requested. */
  addCaCertificateListener(): void {
    return undefined;
  }

  /** See {@link addCaCertificateListener}. */
  removeCaCertificateListener(): void {
    return undefined;
  }

  /**
   * Registers a listener and hands it the current certificate on the next microtask (grpc-js registers the provider's
   * listener before its own watcher, so a synchronous call would be missed).
   */
  addIdentityCertificateListener(listener: IdentityListener): void {
    this.listeners.add(listener);
    queueMicrotask(() => {
      if (this.listeners.has(listener) && this.identity !== null) listener(this.identity);
    });
  }

  /** Unregisters a listener. */
  removeIdentityCertificateListener(listener: IdentityListener): void {
    this.listeners.delete(listener);
  }
}

/** What {@link ServingTls} is built from. */
export interface ServingTlsOptions {
  /** The CA that signs the serving certificate (the one whose bundle proxies trust). */
  readonly ca: CaState;
  /** DNS SANs of the serving certificate. */
  readonly dnsNames: readonly string[];
  /** Lifetime of each serving certificate; default 24 hours. */
  readonly ttlMs?: number;
  /** Time source. */
  readonly clock: Clock;
  /** Timer for the reissue. */
  readonly timers: Timers;
  /** Where reissues are logged (never key material). */
  readonly logger: Logger;
}

/**
 * When to replace a certificate valid until `notAfter`: after two thirds of the time left now, so a certificate is
 * replaced with a third of its lifetime to spare.
 */
export function servingRenewDelay(notAfter: Date, now: Date): number {
  return Math.max(0, Math.floor(((notAfter.getTime() - now.getTime()) * 2) / 3));
}

/** The serving certificate of the xDS port and its renewal timer. */
export class ServingTls {
  /** TLS server credentials for `XdsServer.listen` (client certificates are not requested). */
  readonly credentials: ServerCredentials;
  private readonly options: ServingTlsOptions;
  private readonly provider = new MemoryCertificateProvider();
  private timer: TimerHandle | undefined;
  private stopped = false;
  private current: Date | undefined;
  private renewAt = 0;

  /** Creates the credentials; they carry no certificate before {@link start}. */
  constructor(options: ServingTlsOptions) {
    this.options = options;
    this.credentials = experimental.createCertificateProviderServerCredentials(this.provider, null, false);
  }

  /** End of validity of the current certificate (undefined before the first issue). */
  get notAfter(): Date | undefined {
    return this.current;
  }

  /** Issues the first certificate (throws when the CA cannot issue) and arms the renewal timer. */
  async start(): Promise<void> {
    const error = await this.issue();
    if (error !== undefined) throw new Error(`cannot issue the xDS serving certificate: ${error}`);
  }

  /** Cancels the renewal timer. */
  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.options.timers.clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Issues a certificate and schedules the next; returns the CA's message on failure. */
  private async issue(): Promise<string | undefined> {
    const { ca, dnsNames, ttlMs, clock } = this.options;
    const issued = await issueServingCert(ca, { dnsNames, ...(ttlMs === undefined ? {} : { ttlMs }) }, () =>
      clock.now(),
    );
    if (this.stopped) return undefined;
    if (!issued.ok) {
      this.schedule(clock.now().getTime() + SERVING_RETRY_MS);
      return issued.error.message;
    }
    this.provider.update(issued.value.certificatePem, issued.value.privateKeyPem.reveal());
    this.current = issued.value.notAfter;
    this.options.logger.info(
      { dnsNames, notAfter: issued.value.notAfter.toISOString() },
      'xDS serving certificate issued',
    );
    this.schedule(clock.now().getTime() + servingRenewDelay(issued.value.notAfter, clock.now()));
    return undefined;
  }

  /** Arms the timer for `at` (epoch ms); a wait longer than a Node timer takes is re-armed on wake-up. */
  private schedule(at: number): void {
    if (this.stopped) return;
    this.renewAt = at;
    const delayMs = Math.max(0, at - this.options.clock.now().getTime());
    this.timer = this.options.timers.setTimeout(
      () => {
        this.timer = undefined;
        this.renew().catch((error: unknown) =>
          this.options.logger.error({ err: error }, 'xDS serving certificate renewal failed'),
        );
      },
      Math.min(delayMs, MAX_TIMER_MS),
    );
  }

  private async renew(): Promise<void> {
    if (this.options.clock.now().getTime() < this.renewAt) {
      this.schedule(this.renewAt);
      return;
    }
    const error = await this.issue();
    if (error !== undefined) {
      this.options.logger.error(
        { reason: error, retryInMs: SERVING_RETRY_MS },
        'cannot renew the xDS serving certificate; the current one stays until it expires',
      );
    }
  }
}
