/**
 * Generating a fresh self-signed workload root CA: ECDSA P-256, basicConstraints CA (critical), keyUsage
 * keyCertSign + cRLSign (critical), and the trust domain's SPIFFE ID `spiffe://<td>` as its URI SAN.
 */
import {
  BasicConstraintsExtension,
  KeyUsageFlags,
  KeyUsagesExtension,
  SubjectAlternativeNameExtension,
  SubjectKeyIdentifierExtension,
  X509CertificateGenerator,
  certificateToPem,
  webCrypto,
} from './x509.js';
import { generateKeyPair, randomSerial, signingAlgorithmFor } from './keys.js';
import type { SupportedCurve } from './keys.js';
import { checkTrustDomain, trustDomainId } from './spiffe.js';
import { DEFAULT_SKEW_MS, HOUR_MS, ok } from './types.js';
import type { CaResult, CaSigner, Clock } from './types.js';

/** Default root validity: 10 years (the root is rotated deliberately, with an overlapping bundle). */
export const DEFAULT_ROOT_VALIDITY_MS = 10 * 365 * 24 * HOUR_MS;

/** Parameters for {@link generateRootCa}. */
export interface GenerateRootCaOptions {
  /** SPIFFE trust domain, for example `cluster.local`. */
  readonly trustDomain: string;
  /** Source of the issue time. */
  readonly clock: Clock;
  /** Lifetime of the root in milliseconds; default {@link DEFAULT_ROOT_VALIDITY_MS}. */
  readonly validityMs?: number;
  /** Backdating of `notBefore` in milliseconds; default 1 minute. */
  readonly skewMs?: number;
  /** Curve of the root key; default P-256. */
  readonly curve?: SupportedCurve;
}

/** Generates a self-signed root CA for a trust domain; it signs SVIDs directly. */
export async function generateRootCa(options: GenerateRootCaOptions): Promise<CaResult<CaSigner>> {
  const td = checkTrustDomain(options.trustDomain);
  if (!td.ok) return td;
  const now = options.clock().getTime();
  const keys = await generateKeyPair(options.curve);
  const certificate = await X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: randomSerial(),
      name: `CN=aspen workload CA ${options.trustDomain}, O=aspen`,
      notBefore: new Date(now - (options.skewMs ?? DEFAULT_SKEW_MS)),
      notAfter: new Date(now + (options.validityMs ?? DEFAULT_ROOT_VALIDITY_MS)),
      keys,
      signingAlgorithm: signingAlgorithmFor(keys.privateKey),
      extensions: [
        new BasicConstraintsExtension(true, undefined, true),
        new KeyUsagesExtension(KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign, true),
        await SubjectKeyIdentifierExtension.create(keys.publicKey, false, webCrypto),
        new SubjectAlternativeNameExtension([{ type: 'url', value: trustDomainId(options.trustDomain) }]),
      ],
    },
    webCrypto,
  );
  const pem = certificateToPem(certificate);
  return ok({
    trustDomain: options.trustDomain,
    certificatePem: pem,
    issuerChainPem: [],
    anchorPem: pem,
    privateKey: keys.privateKey,
    notBefore: certificate.notBefore,
    notAfter: certificate.notAfter,
  });
}
