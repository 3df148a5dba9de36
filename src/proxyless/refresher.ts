/**
 * Keeps a proxyless workload's certificate files current: issues and writes them at start, then again at each
 * renewal time (half the SVID's lifetime, with jitter; see ca/renewal.ts), retrying a failed renewal after a delay.
 * gRPC's `file_watcher` picks the new files up at its next refresh. Clock, timers and randomness are injected.
 */
import { renewalTime } from '../ca/renewal.js';
import type { RandomSource } from '../ca/types.js';
import type { TimerHandle, Timers } from '../serve/debounce.js';
import type { Clock, Logger } from '../xds/server/types.js';
import type { CertificateFiles, CertificateSource } from './certificates.js';

/** Delay before retrying a failed renewal. */
export const RETRY_MS = 30 * 1000;
/** Longest delay a Node timer takes; a longer wait renews early, at this delay. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** What a {@link CertificateRefresher} is built from. */
export interface RefresherOptions {
  /** Fresh certificates. */
  readonly source: CertificateSource;
  /** Where they go (writeCertificateFiles into the pod's directory). */
  readonly write: (files: CertificateFiles) => Promise<void>;
  /** Time. */
  readonly clock: Clock;
  /** The renewal timer. */
  readonly timers: Timers;
  /** Renewal jitter. */
  readonly random: RandomSource;
  /** Identities and times only, never keys. */
  readonly logger: Logger;
}

/** The refresher: {@link start} once, {@link stop} at shutdown. */
export class CertificateRefresher {
  private readonly options: RefresherOptions;
  private timer: TimerHandle | undefined;
  private stopped = false;
  private current: { spiffeId: string; notAfter: Date } | undefined;

  /** Creates it; nothing happens before {@link start}. */
  constructor(options: RefresherOptions) {
    this.options = options;
  }

  /** Issues and writes the first files (rejects when that fails), then schedules the renewal. */
  async start(): Promise<CertificateFiles> {
    const files = await this.options.source();
    await this.options.write(files);
    this.installed(files);
    return files;
  }

  /** The SVID currently on disk (no key). */
  installedSvid(): { spiffeId: string; notAfter: Date } | undefined {
    return this.current;
  }

  /** Cancels the renewal timer. */
  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.options.timers.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private installed(files: CertificateFiles): void {
    this.current = { spiffeId: files.spiffeId, notAfter: files.notAfter };
    const clock = (): Date => this.options.clock.now();
    const at = renewalTime(files, clock, this.options.random);
    this.options.logger.info(
      { spiffeId: files.spiffeId, notAfter: files.notAfter.toISOString(), renewAt: at.toISOString() },
      'proxyless certificate files written',
    );
    this.schedule(at.getTime() - this.options.clock.now().getTime());
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = this.options.timers.setTimeout(
      () => void this.renew(),
      Math.min(Math.max(0, ms), MAX_TIMER_MS),
    );
  }

  private async renew(): Promise<void> {
    this.timer = undefined;
    try {
      const files = await this.options.source();
      await this.options.write(files);
      if (!this.stopped) this.installed(files);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.options.logger.warn({ error: message, retryMs: RETRY_MS }, 'proxyless certificate renewal failed');
      this.schedule(RETRY_MS);
    }
  }
}
