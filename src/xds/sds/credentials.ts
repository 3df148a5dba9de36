/**
 * TLS for the xDS port: a serving certificate from aspen's CA, with the trust bundle as the roots for client
 * certificates. Proxies authenticate with a ServiceAccount token (ADR 0009), so client certificates are not required.
 */
import { ServerCredentials } from '@grpc/grpc-js';
import { trustBundle } from '../../ca/state.js';
import type { CaResult, CaState, Clock } from '../../ca/types.js';
import { issueServingCert } from './serving.js';

/** Settings of {@link xdsServerCredentials}. */
export interface XdsTlsOptions {
  /** DNS SANs of the serving certificate, e.g. `aspen.aspen-system.svc`, `localhost`. */
  readonly dnsNames: readonly string[];
  /** Require a client certificate signed by the trust bundle; default false (proxies send a token instead). */
  readonly requireClientCertificate?: boolean;
  /** Lifetime of the serving certificate; default 24 hours. */
  readonly ttlMs?: number;
}

/** Server credentials and when their certificate expires (rebind or restart well before). */
export interface XdsServerTls {
  /** For `XdsServer.listen`. */
  readonly credentials: ServerCredentials;
  /** End of the serving certificate's validity. */
  readonly notAfter: Date;
}

/** grpc-js TLS server credentials for the xDS port, with a freshly issued serving certificate. */
export async function xdsServerCredentials(
  ca: CaState,
  options: XdsTlsOptions,
  clock: Clock,
): Promise<CaResult<XdsServerTls>> {
  const serving = await issueServingCert(
    ca,
    { dnsNames: options.dnsNames, ...(options.ttlMs === undefined ? {} : { ttlMs: options.ttlMs }) },
    clock,
  );
  if (!serving.ok) return serving;
  const credentials = ServerCredentials.createSsl(
    Buffer.from(trustBundle(ca, clock)),
    [
      {
        cert_chain: Buffer.from(serving.value.certificatePem),
        private_key: Buffer.from(serving.value.privateKeyPem.reveal()),
      },
    ],
    options.requireClientCertificate ?? false,
  );
  return { ok: true, value: { credentials, notAfter: serving.value.notAfter } };
}
