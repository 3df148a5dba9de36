/**
 * Loading and saving a CA signer as PEM, so the controller can persist it in a Secret or take a user-supplied CA
 * (cert-manager, an external CA's intermediate). Every check returns an error value whose message names the
 * certificate, never the private key.
 */
import type { CryptoKey } from './x509.js';
import {
  BasicConstraintsExtension,
  KeyUsageFlags,
  KeyUsagesExtension,
  SubjectAlternativeNameExtension,
  X509Certificate,
  certificateToPem,
  exportPublicKey,
  publicKeyAlgorithm,
  webCrypto,
} from './x509.js';
import { curveOf, keysMatch, privateKeyFromPem, privateKeyToPem } from './keys.js';
import type { SecretPem } from './secret.js';
import { checkTrustDomain, trustDomainOf } from './spiffe.js';
import { fail, ok } from './types.js';
import type { CaResult, CaSigner } from './types.js';

/** A CA signer serialised for storage. */
export interface CaPem {
  /** The signing certificate first, then every certificate above it up to and including the self-signed root. */
  readonly certificatePem: string;
  /** PKCS#8 PEM of the signing key, redacted unless revealed. */
  readonly privateKeyPem: SecretPem;
}

/** Options for {@link caFromPem}. */
export interface CaFromPemOptions {
  /** Trust domain, required when the signing certificate carries no `spiffe://<td>` URI SAN. */
  readonly trustDomain?: string;
}

const CERTIFICATE_BLOCK = /-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g;

function parseCertificates(pem: string): CaResult<X509Certificate[]> {
  const blocks = pem.match(CERTIFICATE_BLOCK) ?? [];
  if (blocks.length === 0)
    return fail('invalid-certificate', 'no PEM CERTIFICATE block in the CA certificate');
  const certificates: X509Certificate[] = [];
  for (const [index, block] of blocks.entries()) {
    try {
      certificates.push(new X509Certificate(block));
    } catch {
      return fail('invalid-certificate', `CA certificate #${index} does not parse as X.509`);
    }
  }
  return ok(certificates);
}

function checkSigningCertificate(cert: X509Certificate): CaResult<X509Certificate> {
  const constraints = cert.getExtension(BasicConstraintsExtension);
  if (constraints?.ca !== true) {
    return fail(
      'invalid-certificate',
      `CA certificate "${cert.subject}" is not a CA (basicConstraints cA false)`,
    );
  }
  const usage = cert.getExtension(KeyUsagesExtension);
  if (usage !== null && (usage.usages & KeyUsageFlags.keyCertSign) === 0) {
    return fail('invalid-certificate', `CA certificate "${cert.subject}" lacks keyUsage keyCertSign`);
  }
  return ok(cert);
}

async function checkChain(certificates: readonly X509Certificate[]): Promise<CaResult<X509Certificate>> {
  for (let i = 0; i + 1 < certificates.length; i++) {
    const [child, parent] = [certificates[i], certificates[i + 1]] as [X509Certificate, X509Certificate];
    const signed = await child.verify({ publicKey: parent.publicKey, signatureOnly: true }, webCrypto);
    if (!signed)
      return fail('invalid-certificate', `"${child.subject}" is not signed by "${parent.subject}"`);
  }
  const anchor = certificates[certificates.length - 1] as X509Certificate;
  if (!(await anchor.isSelfSigned(webCrypto))) {
    return fail('invalid-certificate', `chain must end with a self-signed root; "${anchor.subject}" is not`);
  }
  return ok(anchor);
}

function trustDomainFrom(cert: X509Certificate, wanted: string | undefined): CaResult<string> {
  const names = cert.getExtension(SubjectAlternativeNameExtension)?.names.items ?? [];
  const found = names.filter((n) => n.type === 'url').map((n) => trustDomainOf(n.value))[0];
  if (found !== undefined && wanted !== undefined && found !== wanted) {
    return fail(
      'trust-domain-mismatch',
      `CA certificate is for trust domain "${found}", expected "${wanted}"`,
    );
  }
  const td = found ?? wanted;
  if (td === undefined) {
    return fail('invalid-certificate', 'CA certificate has no spiffe:// trust domain SAN; pass trustDomain');
  }
  return checkTrustDomain(td);
}

async function checkKey(cert: X509Certificate, keyPem: string): Promise<CaResult<CryptoKey>> {
  const key = await privateKeyFromPem(keyPem);
  if (!key.ok) return key;
  if (curveOf(publicKeyAlgorithm(cert.publicKey)) === undefined) {
    return fail('unsupported-key', `CA certificate "${cert.subject}" has a non-ECDSA P-256/P-384 key`);
  }
  const publicKey = await exportPublicKey(cert.publicKey);
  if (!(await keysMatch(key.value, publicKey))) {
    return fail('key-mismatch', `CA private key does not belong to certificate "${cert.subject}"`);
  }
  return key;
}

function validityOf(certificates: readonly X509Certificate[]): { notBefore: Date; notAfter: Date } {
  const notBefore = Math.max(...certificates.map((c) => c.notBefore.getTime()));
  const notAfter = Math.min(...certificates.map((c) => c.notAfter.getTime()));
  return { notBefore: new Date(notBefore), notAfter: new Date(notAfter) };
}

/**
 * Loads a CA signer from PEM. `certPem` holds the signing certificate first, then (for an intermediate) each
 * certificate above it, ending with the self-signed root; `keyPem` is the signing key (PKCS#8 or SEC1).
 */
export async function caFromPem(
  certPem: string,
  keyPem: string,
  options: CaFromPemOptions = {},
): Promise<CaResult<CaSigner>> {
  const certificates = parseCertificates(certPem);
  if (!certificates.ok) return certificates;
  const chain = certificates.value;
  const signing = checkSigningCertificate(chain[0] as X509Certificate);
  if (!signing.ok) return signing;
  const anchor = await checkChain(chain);
  if (!anchor.ok) return anchor;
  const td = trustDomainFrom(signing.value, options.trustDomain);
  if (!td.ok) return td;
  const key = await checkKey(signing.value, keyPem);
  if (!key.ok) return key;
  const pems = chain.map(certificateToPem);
  return ok({
    trustDomain: td.value,
    certificatePem: pems[0] as string,
    issuerChainPem: pems.slice(0, -1),
    anchorPem: pems[pems.length - 1] as string,
    privateKey: key.value,
    ...validityOf(chain),
  });
}

/** Serialises a signer for storage; {@link caFromPem} reads it back. */
export async function caToPem(signer: CaSigner): Promise<CaPem> {
  const chain =
    signer.issuerChainPem.length === 0 ? [signer.anchorPem] : [...signer.issuerChainPem, signer.anchorPem];
  return { certificatePem: joinPem(chain), privateKeyPem: await privateKeyToPem(signer.privateKey) };
}

/** Joins PEM blocks, one per line group, ending with a newline. */
export function joinPem(blocks: readonly string[]): string {
  return blocks.map((b) => (b.endsWith('\n') ? b : `${b}\n`)).join('');
}
