/**
 * API keys are kept only as keyed hashes: HMAC-SHA-256 under a random per-process key (the pepper), computed as soon
 * as a Secret is read, so neither the keys nor hashes usable outside this process are held. Presented keys are
 * hashed the same way and compared in constant time (crypto.timingSafeEqual) with every listed client's hash.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { DataObject } from '../provider/snapshot.js';

/** Hashes of Secret entries by `<namespace>/<name>/<key>`. */
export type SecretHashes = Map<string, Buffer>;

/** The map key of a Secret entry. */
export function secretRefKey(ref: { namespace: string; name: string; key: string }): string {
  return `${ref.namespace}/${ref.name}/${ref.key}`;
}

/** Keyed hashing of API keys. */
export class KeyHasher {
  private readonly pepper: Buffer;

  /** A hasher with a fresh random pepper (or a given one, for tests). */
  constructor(pepper: Buffer = randomBytes(32)) {
    this.pepper = pepper;
  }

  /** HMAC-SHA-256 of the key (trimmed of surrounding whitespace, as Secrets often end in a newline). */
  hash(key: string): Buffer {
    return createHmac('sha256', this.pepper).update(key.trim(), 'utf8').digest();
  }

  /** Hashes every entry of these Secrets; the values themselves are not kept. */
  hashSecrets(secrets: readonly DataObject[], only?: ReadonlySet<string>): SecretHashes {
    const out: SecretHashes = new Map();
    for (const secret of secrets) {
      if (only !== undefined && !only.has(`${secret.namespace}/${secret.name}`)) continue;
      for (const [key, value] of Object.entries(secret.data)) {
        out.set(secretRefKey({ namespace: secret.namespace, name: secret.name, key }), this.hash(value));
      }
    }
    return out;
  }
}

/**
 * The index of the candidate whose hash equals `presented`, or -1. Every candidate is compared, whether or not an
 * earlier one matched, so the time taken does not tell which (or whether one) matched.
 */
export function matchHash(presented: Buffer, candidates: readonly (Buffer | undefined)[]): number {
  let found = -1;
  candidates.forEach((hash, index) => {
    const equal = hash !== undefined && hash.length === presented.length && timingSafeEqual(hash, presented);
    if (equal && found === -1) found = index;
  });
  return found;
}
