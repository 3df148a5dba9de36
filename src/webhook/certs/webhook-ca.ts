/**
 * The webhook CA and its serving certificates: a self-signed ECDSA P-256 CA used only to sign the webhook's serving
 * certificate (its bundle is the `caBundle` of aspen's webhook configurations), separate from the workload CA. Built
 * on the `ca/` x509 entry point; the serving certificate comes from `issueServingCert` (DNS SANs, serverAuth).
 */
import {
  BasicConstraintsExtension,
  KeyUsageFlags,
  KeyUsagesExtension,
  SubjectAlternativeNameExtension,
  SubjectKeyIdentifierExtension,
  X509Certificate,
  X509CertificateGenerator,
  AuthorityKeyIdentifierExtension,
  certificateToPem,
  webCrypto,
} from '../../ca/x509.js';
import {
  generateKeyPair,
  privateKeyFromPem,
  privateKeyToPem,
  randomSerial,
  signingAlgorithmFor,
} from '../../ca/keys.js';
import type { SecretPem } from '../../ca/secret.js';
import { issueServingCert } from '../../xds/sds/serving.js';

/** A CA or a serving certificate with its key and validity. */
export interface KeyedCertificate {
  /** PEM of the certificate. */
  readonly certificatePem: string;
  /** PKCS#8 PEM of the key, redacted unless revealed. */
  readonly privateKeyPem: SecretPem;
  /** Start of validity. */
  readonly notBefore: Date;
  /** End of validity. */
  readonly notAfter: Date;
}

/** Backdating of `notBefore` for clock skew between the API servers and aspen. */
const SKEW_MS = 60 * 1000;

/** Generates a webhook CA valid from `now` (backdated one minute) for `validityMs`. */
export async function generateWebhookCa(now: Date, validityMs: number): Promise<KeyedCertificate> {
  const keys = await generateKeyPair();
  const certificate = await X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: randomSerial(),
      name: `CN=aspen webhook CA ${now.toISOString()}, O=aspen`,
      notBefore: new Date(now.getTime() - SKEW_MS),
      notAfter: new Date(now.getTime() + validityMs),
      keys,
      signingAlgorithm: signingAlgorithmFor(keys.privateKey),
      extensions: [
        new BasicConstraintsExtension(true, 0, true),
        new KeyUsagesExtension(KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign, true),
        await SubjectKeyIdentifierExtension.create(keys.publicKey, false, webCrypto),
      ],
    },
    webCrypto,
  );
  return {
    certificatePem: certificateToPem(certificate),
    privateKeyPem: await privateKeyToPem(keys.privateKey),
    notBefore: certificate.notBefore,
    notAfter: certificate.notAfter,
  };
}

/** Issues a serving certificate for `dnsNames` signed by `ca`, valid for `ttlMs` (never past the CA). */
export async function issueWebhookServing(
  ca: KeyedCertificate,
  request: { readonly dnsNames: readonly string[]; readonly ttlMs: number; readonly now: Date },
): Promise<KeyedCertificate> {
  const key = await privateKeyFromPem(ca.privateKeyPem.reveal());
  if (!key.ok) throw new Error(`webhook CA key: ${key.error.message}`);
  const signer = {
    trustDomain: 'webhook',
    certificatePem: ca.certificatePem,
    issuerChainPem: [],
    anchorPem: ca.certificatePem,
    privateKey: key.value,
    notBefore: ca.notBefore,
    notAfter: ca.notAfter,
  };
  const state = { active: signer, staged: [], retired: [], svidTtlMs: request.ttlMs };
  const issued = await issueServingCert(
    state,
    { dnsNames: request.dnsNames, ttlMs: request.ttlMs },
    () => request.now,
  );
  if (!issued.ok) throw new Error(`webhook serving certificate: ${issued.error.message}`);
  return issued.value;
}

/** Hex key identifiers of a certificate: its own (SKI) and its issuer's (AKI); empty when absent. */
export function keyIds(certificatePem: string): { subject: string; authority: string } {
  const certificate = new X509Certificate(certificatePem);
  const ski = certificate.getExtension(SubjectKeyIdentifierExtension);
  const aki = certificate.getExtension(AuthorityKeyIdentifierExtension);
  return { subject: ski?.keyId ?? '', authority: aki?.keyId ?? '' };
}

/** DNS SANs of a certificate, sorted. */
export function dnsNamesOf(certificatePem: string): string[] {
  const san = new X509Certificate(certificatePem).getExtension(SubjectAlternativeNameExtension);
  if (san === null) return [];
  return san.names
    .toJSON()
    .filter((n) => n.type === 'dns')
    .map((n) => n.value)
    .sort();
}
