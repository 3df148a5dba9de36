/**
 * Reading a workload's PKCS#10 certificate request: the signature must verify (proof of possession) and the key
 * must be ECDSA P-256 or P-384. Names requested in the CSR are ignored: identity comes from the caller.
 */
import type { CryptoKey } from './x509.js';
import { Pkcs10CertificateRequest, exportPublicKey, publicKeyAlgorithm, webCrypto } from './x509.js';
import { curveOf } from './keys.js';
import { fail, ok } from './types.js';
import type { CaResult } from './types.js';

/** The public key of a verified CSR, or an error. */
export async function publicKeyFromCsr(csrPem: string): Promise<CaResult<{ readonly publicKey: CryptoKey }>> {
  let csr: Pkcs10CertificateRequest;
  try {
    csr = new Pkcs10CertificateRequest(csrPem);
  } catch {
    return fail('invalid-csr', 'certificate request does not parse as PKCS#10');
  }
  if (curveOf(publicKeyAlgorithm(csr.publicKey)) === undefined) {
    return fail('unsupported-key', 'certificate request key must be ECDSA P-256 or P-384');
  }
  if (!(await csr.verify(webCrypto))) {
    return fail('invalid-csr', 'certificate request signature does not verify');
  }
  return ok({ publicKey: await exportPublicKey(csr.publicKey) });
}
