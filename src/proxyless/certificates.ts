/**
 * The certificate files of a proxyless workload: an X.509-SVID from aspen's workload CA, its key and the trust
 * bundle, written where the bootstrap's `file_watcher` provider reads them. Issuing is pure apart from the CA's
 * crypto; writing is the only effect (each file replaced atomically, the key readable by its owner only). Key
 * material never reaches logs or errors: it travels as a {@link SecretPem}.
 */
import { chmod, mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { issueSvid } from '../ca/issue.js';
import type { SecretPem } from '../ca/secret.js';
import { trustBundle } from '../ca/state.js';
import type { CaState, Clock, WorkloadIdentity } from '../ca/types.js';
import { ProxylessFiles } from './bootstrap.js';

/** What a proxyless workload needs on disk. */
export interface CertificateFiles {
  /** The SVID's SPIFFE ID (for logs). */
  spiffeId: string;
  /** Leaf and issuer chain (PEM). */
  certificatePem: string;
  /** The workload key. */
  privateKeyPem: SecretPem;
  /** The trust bundle (PEM). */
  trustBundlePem: string;
  /** Start of the SVID's validity. */
  notBefore: Date;
  /** End of the SVID's validity. */
  notAfter: Date;
}

/** Where fresh certificate files come from (the local CA in file mode; aspen's SDS in a cluster, not built yet). */
export type CertificateSource = () => Promise<CertificateFiles>;

/** A source issuing from a CA held locally (`--ca-cert`/`--ca-key`, file mode). Throws on a CA error (no key in it). */
export function localCaSource(
  ca: CaState,
  identity: WorkloadIdentity,
  clock: Clock,
  ttlMs?: number,
): CertificateSource {
  return async () => {
    const issued = await issueSvid(ca, identity, { clock, ...(ttlMs === undefined ? {} : { ttlMs }) });
    if (!issued.ok) throw new Error(`cannot issue the workload certificate: ${issued.error.message}`);
    const key = issued.value.privateKeyPem;
    if (key === undefined) throw new Error('the CA returned no private key');
    return {
      spiffeId: issued.value.spiffeId,
      certificatePem: issued.value.certificatePem,
      privateKeyPem: key,
      trustBundlePem: trustBundle(ca, clock),
      notBefore: issued.value.notBefore,
      notAfter: issued.value.notAfter,
    };
  };
}

/** Writes `content` to `path` through a temporary file and a rename, so a reader never sees half a file. */
async function replaceFile(path: string, content: string, mode: number): Promise<void> {
  const temporary = `${path}.tmp`;
  await writeFile(temporary, content, { mode });
  await chmod(temporary, mode);
  await rename(temporary, path);
}

/**
 * Writes the files into `dir` (created if missing): the trust bundle first and the key before the certificate, so a
 * reader that sees a new certificate also sees its key and the roots that sign it.
 */
export async function writeCertificateFiles(dir: string, files: CertificateFiles): Promise<void> {
  await mkdir(dir, { recursive: true });
  await replaceFile(join(dir, ProxylessFiles.trustBundle), files.trustBundlePem, 0o644);
  await replaceFile(join(dir, ProxylessFiles.privateKey), files.privateKeyPem.reveal(), 0o600);
  await replaceFile(join(dir, ProxylessFiles.certificate), files.certificatePem, 0o644);
}
