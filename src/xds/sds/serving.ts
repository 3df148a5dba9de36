/**
 * The xDS server's own TLS serving certificate, issued by the workload CA's active signer with DNS SANs
 * (`aspen.aspen-system.svc`, `localhost`, …) so sidecars verify it against the trust bundle in their bootstrap.
 * `ca/` issues SPIFFE SVIDs only; this adds DNS-SAN issuance on top of its x509 entry point without changing it.
 */
import {
  AuthorityKeyIdentifierExtension,
  BasicConstraintsExtension,
  ExtendedKeyUsage,
  ExtendedKeyUsageExtension,
  KeyUsageFlags,
  KeyUsagesExtension,
  SubjectAlternativeNameExtension,
  SubjectKeyIdentifierExtension,
  X509Certificate,
  X509CertificateGenerator,
  certificateToPem,
  webCrypto,
} from '../../ca/x509.js';
import type { CryptoKey, Extension } from '../../ca/x509.js';
import { generateKeyPair, privateKeyToPem, randomSerial, signingAlgorithmFor } from '../../ca/keys.js';
import { joinPem } from '../../ca/pem.js';
import type { SecretPem } from '../../ca/secret.js';
import type { CaResult, CaSigner, CaState, Clock } from '../../ca/types.js';
import { DEFAULT_SKEW_MS } from '../../ca/types.js';

/** Default lifetime of a serving certificate: 24 hours (capped by the signer's expiry). */
export const DEFAULT_SERVING_TTL_MS = 24 * 60 * 60 * 1000;

/** A DNS name as RFC 1123 allows it in a SAN (a leading `*.` wildcard label too). */
const DNS_NAME = /^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

/** What to issue. */
export interface ServingCertRequest {
  /** DNS SANs; at least one. The first also becomes the subject CN. */
  readonly dnsNames: readonly string[];
  /** Lifetime in milliseconds; default 24 hours. */
  readonly ttlMs?: number;
}

/** A serving certificate and its key. */
export interface ServingCert {
  /** PEM chain: the leaf, then the issuer chain up to (excluding) the trust anchor. */
  readonly certificatePem: string;
  /** PKCS#8 PEM of the key; redacted everywhere except `reveal()`. */
  readonly privateKeyPem: SecretPem;
  /** Start of validity. */
  readonly notBefore: Date;
  /** End of validity. */
  readonly notAfter: Date;
}

function checkNames(dnsNames: readonly string[]): string | undefined {
  if (dnsNames.length === 0) return 'a serving certificate needs at least one DNS name';
  const bad = dnsNames.find((name) => name.length > 253 || !DNS_NAME.test(name));
  return bad === undefined ? undefined : `"${bad}" is not a valid DNS name`;
}

function validity(
  signer: CaSigner,
  clock: Clock,
  ttlMs: number,
): CaResult<{ notBefore: Date; notAfter: Date }> {
  const now = clock().getTime();
  if (now < signer.notBefore.getTime() || now >= signer.notAfter.getTime()) {
    return {
      ok: false,
      error: { code: 'ca-not-valid', message: `CA is not valid at ${new Date(now).toISOString()}` },
    };
  }
  const notBefore = Math.max(now - DEFAULT_SKEW_MS, signer.notBefore.getTime());
  const notAfter = Math.min(now + ttlMs, signer.notAfter.getTime());
  return { ok: true, value: { notBefore: new Date(notBefore), notAfter: new Date(notAfter) } };
}

async function extensions(
  signer: CaSigner,
  dnsNames: readonly string[],
  publicKey: CryptoKey,
): Promise<Extension[]> {
  const ca = new X509Certificate(signer.certificatePem);
  const ski = ca.getExtension(SubjectKeyIdentifierExtension);
  return [
    new BasicConstraintsExtension(false, undefined, true),
    new KeyUsagesExtension(KeyUsageFlags.digitalSignature | KeyUsageFlags.keyEncipherment, true),
    new ExtendedKeyUsageExtension([ExtendedKeyUsage.serverAuth]),
    new SubjectAlternativeNameExtension(dnsNames.map((value) => ({ type: 'dns' as const, value }))),
    await SubjectKeyIdentifierExtension.create(publicKey, false, webCrypto),
    ski === null
      ? await AuthorityKeyIdentifierExtension.create(ca.publicKey, false, webCrypto)
      : new AuthorityKeyIdentifierExtension(ski.keyId),
  ];
}

/** Issues a TLS serving certificate (serverAuth, DNS SANs) signed by the CA's active signer, with a fresh P-256 key. */
export async function issueServingCert(
  ca: CaState,
  request: ServingCertRequest,
  clock: Clock,
): Promise<CaResult<ServingCert>> {
  const problem = checkNames(request.dnsNames);
  if (problem !== undefined) return { ok: false, error: { code: 'invalid-identity', message: problem } };
  const signer = ca.active;
  const window = validity(signer, clock, request.ttlMs ?? DEFAULT_SERVING_TTL_MS);
  if (!window.ok) return window;
  const keys = await generateKeyPair();
  const leaf = await X509CertificateGenerator.create(
    {
      serialNumber: randomSerial(),
      subject: `CN=${request.dnsNames[0] ?? ''}`,
      issuer: new X509Certificate(signer.certificatePem).subjectName,
      ...window.value,
      publicKey: keys.publicKey,
      signingKey: signer.privateKey,
      signingAlgorithm: signingAlgorithmFor(signer.privateKey),
      extensions: await extensions(signer, request.dnsNames, keys.publicKey),
    },
    webCrypto,
  );
  const chain = joinPem([certificateToPem(leaf), ...signer.issuerChainPem]);
  return {
    ok: true,
    value: { certificatePem: chain, privateKeyPem: await privateKeyToPem(keys.privateKey), ...window.value },
  };
}
