/**
 * Key handling for the CA: ECDSA key generation, PKCS#8 PEM import/export, the signing algorithm for a key, and
 * random serial numbers. Error messages never include the input PEM.
 */
import type { CryptoKey, CryptoKeyPair, EcdsaParams, EcKeyAlgorithm, KeyAlgorithm } from './x509.js';
import { createPrivateKey } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { PemConverter, webCrypto } from './x509.js';
import { SecretPem } from './secret.js';
import { fail, ok } from './types.js';
import type { CaResult } from './types.js';

/** ECDSA curves the CA signs with and accepts for workload keys. */
export type SupportedCurve = 'P-256' | 'P-384';

const NODE_CURVES: Readonly<Record<string, SupportedCurve>> = { prime256v1: 'P-256', secp384r1: 'P-384' };

/** Generates an extractable ECDSA key pair (P-256 unless told otherwise). */
export async function generateKeyPair(curve: SupportedCurve = 'P-256'): Promise<CryptoKeyPair> {
  return webCrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: curve }, true, ['sign', 'verify']);
}

/** Exports a private key as PKCS#8 PEM, wrapped so it cannot be logged by accident. */
export async function privateKeyToPem(key: CryptoKey): Promise<SecretPem> {
  const der = await webCrypto.subtle.exportKey('pkcs8', key);
  return new SecretPem(PemConverter.encode(der, 'PRIVATE KEY'));
}

const ENCRYPTED_PEM = /-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type: *4, *ENCRYPTED/;

function parsePrivateKey(pem: string): CaResult<KeyObject> {
  if (ENCRYPTED_PEM.test(pem)) {
    return fail('invalid-private-key', 'CA private key is encrypted; supply it unencrypted (from a Secret)');
  }
  try {
    return ok(createPrivateKey({ key: pem, format: 'pem' }));
  } catch {
    // The underlying message is dropped on purpose: nothing derived from the key text goes into an error.
    return fail('invalid-private-key', 'CA private key is not a valid PEM private key');
  }
}

/**
 * Imports a PEM private key (PKCS#8 `PRIVATE KEY` or SEC1 `EC PRIVATE KEY`, as cert-manager writes by default) as
 * an extractable ECDSA signing key.
 */
export async function privateKeyFromPem(pem: string): Promise<CaResult<CryptoKey>> {
  const parsed = parsePrivateKey(pem);
  if (!parsed.ok) return parsed;
  const key = parsed.value;
  const curve = NODE_CURVES[key.asymmetricKeyDetails?.namedCurve ?? ''];
  if (key.asymmetricKeyType !== 'ec' || curve === undefined) {
    return fail('unsupported-key', `CA private key must be ECDSA P-256 or P-384, got ${describeKey(key)}`);
  }
  const der = key.export({ format: 'der', type: 'pkcs8' });
  const imported = await webCrypto.subtle.importKey(
    'pkcs8',
    der,
    { name: 'ECDSA', namedCurve: curve },
    true,
    ['sign'],
  );
  return ok(imported);
}

function describeKey(key: KeyObject): string {
  const curve = key.asymmetricKeyDetails?.namedCurve;
  return curve === undefined ? (key.asymmetricKeyType ?? 'unknown') : `${key.asymmetricKeyType} ${curve}`;
}

/** The curve of an ECDSA key, or undefined for any other key. */
export function curveOf(algorithm: KeyAlgorithm): SupportedCurve | undefined {
  const curve = (algorithm as Partial<EcKeyAlgorithm>).namedCurve;
  return algorithm.name === 'ECDSA' && (curve === 'P-256' || curve === 'P-384') ? curve : undefined;
}

/** The signature algorithm a CA key signs with: ECDSA with SHA-256 for P-256, SHA-384 for P-384. */
export function signingAlgorithmFor(key: CryptoKey): EcdsaParams {
  return { name: 'ECDSA', hash: curveOf(key.algorithm) === 'P-384' ? 'SHA-384' : 'SHA-256' };
}

/** A random 128-bit serial number as hexadecimal (the library encodes it as a positive DER INTEGER). */
export function randomSerial(): string {
  const bytes = webCrypto.getRandomValues(new Uint8Array(16));
  return Buffer.from(bytes).toString('hex');
}

/** True when `privateKey` is the private half of `publicKey`: a probe signature verifies. */
export async function keysMatch(privateKey: CryptoKey, publicKey: CryptoKey): Promise<boolean> {
  const probe = new TextEncoder().encode('aspen ca key check');
  const algorithm = signingAlgorithmFor(privateKey);
  try {
    const signature = await webCrypto.subtle.sign(algorithm, privateKey, probe);
    return await webCrypto.subtle.verify(algorithm, publicKey, signature, probe);
  } catch {
    return false; // different curves or key types
  }
}
