/**
 * `--webhook-cert-source external`: the serving certificate comes from `tls.crt`, `tls.key` and `ca.crt` in
 * `--webhook-cert-dir` (a cert-manager Certificate's Secret mounted there; cert-manager's CA injector fills the
 * caBundle). The files are re-read on a timer (Secret volumes change by a symlink swap, which file watches miss) and
 * a changed certificate is handed on. A missing or unreadable file keeps the last good certificate and is logged
 * by name, never by content.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TimerHandle, Timers } from '../../serve/debounce.js';
import type { Logger } from '../../xds/server/types.js';
import type { TlsSource, TlsUpdate } from './source.js';

/** Options of {@link FileTls}. */
export interface FileTlsOptions {
  /** Directory holding tls.crt, tls.key and ca.crt. */
  readonly dir: string;
  /** Re-read interval; default 10 s. */
  readonly pollMs?: number;
  /** Timers. */
  readonly timers: Timers;
  /** Logger. */
  readonly logger: Logger;
}

/** Serving certificate from files. */
export class FileTls implements TlsSource {
  private timer: TimerHandle | undefined;
  private stopped = false;
  private served = '';
  private readonly listeners = new Set<(update: TlsUpdate) => void>();

  /** A source reading `options.dir`. */
  constructor(private readonly options: FileTlsOptions) {}

  /** Registers a listener. */
  onUpdate(listener: (update: TlsUpdate) => void): void {
    this.listeners.add(listener);
  }

  /** Reads once and starts polling. */
  async start(): Promise<void> {
    await this.poll();
  }

  /** Stops polling. */
  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.options.timers.clearTimeout(this.timer);
  }

  private async read(): Promise<TlsUpdate> {
    const [certificatePem = '', privateKeyPem = '', caBundlePem = ''] = await Promise.all(
      ['tls.crt', 'tls.key', 'ca.crt'].map((name) => readFile(join(this.options.dir, name), 'utf8')),
    );
    return { certificatePem, privateKeyPem, caBundlePem };
  }

  /** Reads the files once; hands on a changed certificate. */
  async poll(): Promise<void> {
    try {
      const update = await this.read();
      const fingerprint = `${update.certificatePem}|${update.caBundlePem}|${update.privateKeyPem.length}`;
      if (fingerprint !== this.served && update.certificatePem !== '' && update.privateKeyPem !== '') {
        this.served = fingerprint;
        for (const listener of this.listeners) listener(update);
      }
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'error';
      const path = (error as NodeJS.ErrnoException).path ?? this.options.dir;
      this.options.logger.warn(
        { file: path, code },
        'cannot read webhook certificate file; keeping the last one',
      );
    }
    if (!this.stopped)
      this.timer = this.options.timers.setTimeout(() => void this.poll(), this.options.pollMs ?? 10_000);
  }
}
