/**
 * Where the webhook's serving certificate comes from: {@link SelfManagedTls} (aspen's own webhook CA, Secret
 * `aspen-webhook-tls`) or {@link FileTls} (files written by cert-manager into `--webhook-cert-dir`). Both hand every
 * new certificate to their listeners; the server swaps it in without rebinding.
 */

/** A certificate to serve. */
export interface TlsUpdate {
  /** Serving certificate chain (PEM). */
  readonly certificatePem: string;
  /** Its private key (PEM; never logged). */
  readonly privateKeyPem: string;
  /** The CA bundle clients verify it with (PEM). */
  readonly caBundlePem: string;
  /** Expiry of the serving certificate, for metrics and logs. */
  readonly notAfter?: Date;
}

/** A source of serving certificates. */
export interface TlsSource {
  /** Registers a listener for new certificates. */
  onUpdate(listener: (update: TlsUpdate) => void): void;
  /** Loads the first certificate (when available) and starts watching. */
  start(): Promise<void>;
  /** Stops watching. */
  stop(): void;
}
