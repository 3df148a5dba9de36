/**
 * The single entry point to @peculiar/x509 for aspen: loads the Reflect metadata polyfill (reflect-metadata) it needs first, then re-exports the
 * pieces `ca/` (and its tests) use. Every call that takes a WebCrypto provider is given {@link webCrypto}
 * explicitly; the library's global provider is never set.
 */
import 'reflect-metadata';
import type { webcrypto } from 'node:crypto';
import type { PublicKey, X509Certificate } from '@peculiar/x509';

export {
  AuthorityKeyIdentifierExtension,
  BasicConstraintsExtension,
  ExtendedKeyUsage,
  ExtendedKeyUsageExtension,
  Extension,
  KeyUsageFlags,
  KeyUsagesExtension,
  PemConverter,
  Pkcs10CertificateRequest,
  Pkcs10CertificateRequestGenerator,
  SubjectAlternativeNameExtension,
  SubjectKeyIdentifierExtension,
  X509Certificate,
  X509CertificateGenerator,
} from '@peculiar/x509';

/** A WebCrypto key (the project compiles without the DOM lib, so the types come from Node). */
export type CryptoKey = webcrypto.CryptoKey;
/** A WebCrypto key pair. */
export type CryptoKeyPair = webcrypto.CryptoKeyPair;
/** A WebCrypto key algorithm description. */
export type KeyAlgorithm = webcrypto.KeyAlgorithm;
/** A WebCrypto elliptic-curve key algorithm description. */
export type EcKeyAlgorithm = webcrypto.EcKeyAlgorithm;
/** WebCrypto ECDSA signature parameters. */
export type EcdsaParams = webcrypto.EcdsaParams;

/** Node's WebCrypto implementation, passed explicitly to every @peculiar/x509 call. */
export const webCrypto: webcrypto.Crypto = globalThis.crypto;

/** The algorithm of a parsed public key, typed with Node's WebCrypto types. */
export function publicKeyAlgorithm(key: PublicKey): KeyAlgorithm {
  const algorithm: unknown = key.algorithm;
  return algorithm as KeyAlgorithm;
}

/** Imports a parsed public key (from a certificate or CSR) as a WebCrypto key. */
export async function exportPublicKey(key: PublicKey): Promise<CryptoKey> {
  const exported: unknown = await key.export(webCrypto);
  return exported as CryptoKey;
}

/** A certificate as PEM text ending with a newline, the form every PEM string in `ca/` takes. */
export function certificateToPem(certificate: X509Certificate): string {
  return `${certificate.toString('pem').trimEnd()}\n`;
}
