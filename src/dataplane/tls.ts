/**
 * mTLS of the dataplane port. The server presents a certificate from aspen's workload CA with the SPIFFE ID the
 * sidecars expect (XdsTranslateConfig.dataplaneIdentity, `spiffe://<td>/ns/<ns>/sa/aspen-dataplane` in a cluster)
 * and requires a client certificate signed by the trust bundle. Two sources: files (`--tls-dir` with tls.crt,
 * tls.key, ca.crt, re-read periodically, so a rotated Secret mount is picked up without a restart) or memory (`aspen
 * serve`, which issues its own). {@link issueDataplaneTls} is the pure issuing function for the controller, which
 * keeps Secret `aspen-dataplane-tls` current.
 */
import { X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import { experimental } from '@grpc/grpc-js';
import type { ServerCredentials } from '@grpc/grpc-js';
import { issueSvid } from '../ca/issue.js';
import { trustBundle } from '../ca/state.js';
import type { CaResult, CaState } from '../ca/types.js';
import type { Clock } from '../xds/server/types.js';

type CaListener = experimental.CaCertificateUpdateListener;
type IdentityListener = experimental.IdentityCertificateUpdateListener;

/** Default re-read period of `--tls-dir`. */
export const TLS_DIR_REFRESH_MS = 60_000;
/** Name of the Secret the controller keeps current and the chart mounts at `--tls-dir`. */
export const DATAPLANE_TLS_SECRET = 'aspen-dataplane-tls';
/** Service account of the dataplane Deployment (its SPIFFE ID's last segment). */
export const DATAPLANE_SERVICE_ACCOUNT = 'aspen-dataplane';

/** Server credentials reading `tls.crt`, `tls.key` and `ca.crt` from `dir`, client certificates required. */
export function credentialsFromDir(dir: string, refreshIntervalMs = TLS_DIR_REFRESH_MS): ServerCredentials {
  const provider = new experimental.FileWatcherCertificateProvider({
    certificateFile: join(dir, 'tls.crt'),
    privateKeyFile: join(dir, 'tls.key'),
    caCertificateFile: join(dir, 'ca.crt'),
    refreshIntervalMs,
  });
  // grpc-js's implementation takes (identity provider, CA provider, require client certificate).
  return experimental.createCertificateProviderServerCredentials(provider, provider, true);
}

/** PEM material of the dataplane's TLS (the data of Secret `aspen-dataplane-tls`). */
export interface DataplaneTlsData {
  /** Certificate chain (leaf first). */
  'tls.crt': string;
  /** PKCS#8 private key. */
  'tls.key': string;
  /** Trust bundle: the roots client certificates must chain to. */
  'ca.crt': string;
}

/** In-memory certificates for `aspen serve`: replaced in place, listeners (the bound server) updated. */
export class MemoryTlsProvider implements experimental.CertificateProvider {
  private identity: experimental.IdentityCertificateUpdate | null = null;
  private ca: experimental.CaCertificateUpdate | null = null;
  private readonly caListeners = new Set<CaListener>();
  private readonly identityListeners = new Set<IdentityListener>();

  /** Server credentials requiring client certificates from this provider's CA. */
  credentials(): ServerCredentials {
    return experimental.createCertificateProviderServerCredentials(this, this, true);
  }

  /** Replaces the material. */
  update(data: DataplaneTlsData): void {
    this.identity = { certificate: Buffer.from(data['tls.crt']), privateKey: Buffer.from(data['tls.key']) };
    this.ca = { caCertificate: Buffer.from(data['ca.crt']) };
    for (const l of [...this.identityListeners]) l(this.identity);
    for (const l of [...this.caListeners]) l(this.ca);
  }

  /** Registers a CA listener (called on the next microtask with the current bundle). */
  addCaCertificateListener(listener: CaListener): void {
    this.caListeners.add(listener);
    queueMicrotask(() => {
      if (this.caListeners.has(listener) && this.ca !== null) listener(this.ca);
    });
  }

  /** Unregisters a CA listener. */
  removeCaCertificateListener(listener: CaListener): void {
    this.caListeners.delete(listener);
  }

  /** Registers an identity listener (called on the next microtask with the current certificate). */
  addIdentityCertificateListener(listener: IdentityListener): void {
    this.identityListeners.add(listener);
    queueMicrotask(() => {
      if (this.identityListeners.has(listener) && this.identity !== null) listener(this.identity);
    });
  }

  /** Unregisters an identity listener. */
  removeIdentityCertificateListener(listener: IdentityListener): void {
    this.identityListeners.delete(listener);
  }
}

/**
 * Issues the dataplane's certificate (SPIFFE `spiffe://<td>/ns/<namespace>/sa/<serviceAccount>`, default service
 * account `aspen-dataplane`) with the CA's active signer, and returns the Secret data with the current trust bundle.
 * Pure apart from key generation; the controller leader calls it when the Secret is missing or
 * {@link dataplaneTlsDue}.
 */
export async function issueDataplaneTls(
  ca: CaState,
  target: { namespace: string; serviceAccount?: string; ttlMs?: number },
  clock: Clock,
): Promise<CaResult<DataplaneTlsData>> {
  const issued = await issueSvid(
    ca,
    { namespace: target.namespace, serviceAccount: target.serviceAccount ?? DATAPLANE_SERVICE_ACCOUNT },
    { clock: () => clock.now(), ...(target.ttlMs === undefined ? {} : { ttlMs: target.ttlMs }) },
  );
  if (!issued.ok) return issued;
  const key = issued.value.privateKeyPem;
  if (key === undefined)
    return { ok: false, error: { code: 'invalid-private-key', message: 'the CA returned no key' } };
  return {
    ok: true,
    value: {
      'tls.crt': issued.value.certificatePem,
      'tls.key': key.reveal(),
      'ca.crt': trustBundle(ca, () => clock.now()),
    },
  };
}

/**
 * When the certificate in `tls.crt` is due: two thirds of its lifetime (the same rule as the xDS serving certificate),
 * in whole milliseconds rounded up so that a timer set for this instant finds it due; undefined when unreadable.
 */
export function dataplaneTlsRenewalTime(certificatePem: string | undefined): Date | undefined {
  if (certificatePem === undefined) return undefined;
  try {
    const cert = new X509Certificate(certificatePem);
    const from = new Date(cert.validFrom).getTime();
    const to = new Date(cert.validTo).getTime();
    return new Date(Math.ceil(from + ((to - from) * 2) / 3));
  } catch {
    return undefined;
  }
}

/** Whether the certificate in `tls.crt` must be replaced at `now`: unreadable, or its renewal time has come. */
export function dataplaneTlsDue(certificatePem: string | undefined, now: Date): boolean {
  const due = dataplaneTlsRenewalTime(certificatePem);
  return due === undefined || now.getTime() >= due.getTime();
}

/** The Secret object the controller writes (create or update) in aspen's namespace for the dataplane. */
export interface DataplaneTlsSecret {
  apiVersion: 'v1';
  kind: 'Secret';
  metadata: { name: string; namespace: string; labels: Record<string, string> };
  type: 'kubernetes.io/tls';
  /** base64 of each PEM, as the API stores Secret data. */
  data: Record<keyof DataplaneTlsData, string>;
}

/** Secret `aspen-dataplane-tls` holding `data`, labelled as managed by aspen (type kubernetes.io/tls). Pure. */
export function dataplaneTlsSecret(namespace: string, data: DataplaneTlsData): DataplaneTlsSecret {
  const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: DATAPLANE_TLS_SECRET, namespace, labels: { 'aspen.dev/managed-by': 'aspen' } },
    type: 'kubernetes.io/tls',
    data: { 'tls.crt': b64(data['tls.crt']), 'tls.key': b64(data['tls.key']), 'ca.crt': b64(data['ca.crt']) },
  };
}
