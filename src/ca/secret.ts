/**
 * A PEM-encoded private key that cannot leak by accident: it prints as `[redacted]` through `String()`,
 * `JSON.stringify` (and so pino) and `util.inspect`. Only {@link SecretPem.reveal} returns the key.
 */
import { inspect } from 'node:util';

const REDACTED = '[redacted private key]';

/** Holds a private key PEM and redacts it everywhere except {@link SecretPem.reveal}. */
export class SecretPem {
  readonly #pem: string;

  /** Wraps a PEM string. */
  constructor(pem: string) {
    this.#pem = pem;
  }

  /** The PEM text, for the one place that must send or store it (SDS response, Secret). */
  reveal(): string {
    return this.#pem;
  }

  /** Redacted. */
  toString(): string {
    return REDACTED;
  }

  /** Redacted, so structured loggers never serialise the key. */
  toJSON(): string {
    return REDACTED;
  }

  /** Redacted in `util.inspect` / `console.log`. */
  [inspect.custom](): string {
    return REDACTED;
  }
}
