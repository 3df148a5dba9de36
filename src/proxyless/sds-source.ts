/**
 * Certificate files from aspen's SDS: the proxyless agent asks aspen's ADS server for the Secrets `default` (the
 * workload's SVID and key) and `ROOTCA` (the trust bundle), as an Envoy sidecar does, and turns them into the files
 * gRPC's file_watcher reads. In a cluster the stream is TLS (aspen's serving certificate checked against the trust
 * bundle file) and carries the projected ServiceAccount token (ADR 0009), so aspen issues the pod's own identity only;
 * against a loopback `aspen serve --xds-insecure` it is plaintext without a token. One stream per fetch, closed as
 * soon as both secrets arrived; a fetch that takes longer than the timeout fails (the refresher retries).
 */
import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { Metadata, credentials } from '@grpc/grpc-js';
import type { ChannelCredentials } from '@grpc/grpc-js';
import { SecretPem } from '../ca/secret.js';
import type { DataSource } from '../gen/envoy/config/core/v3/base.js';
import { Secret } from '../gen/envoy/extensions/transport_sockets/tls/v3/secret.js';
import { AggregatedDiscoveryServiceClient } from '../gen/envoy/service/discovery/v3/ads.js';
import { DiscoveryRequest } from '../gen/envoy/service/discovery/v3/discovery.js';
import type { DiscoveryResponse } from '../gen/envoy/service/discovery/v3/discovery.js';
import { SECRET_TYPE_URL } from '../xds/sds/secrets.js';
import { AUTHORIZATION_METADATA } from '../xds/sds/token-auth.js';
import { TRUST_BUNDLE_SECRET, WORKLOAD_CERT_SECRET } from '../xds/translate/names.js';
import type { CertificateFiles, CertificateSource } from './certificates.js';

/** Longest a fetch may take. */
export const DEFAULT_FETCH_TIMEOUT_MS = 15_000;

/** Where and how to fetch. */
export interface SdsSourceOptions {
  /** aspen's xDS address `host:port`. */
  readonly xdsAddress: string;
  /** `<namespace>/<pod>`. */
  readonly nodeId: string;
  /** `<namespace>/<workload>`: the proxy key. */
  readonly nodeCluster: string;
  /** TLS with this trust bundle and the token at `tokenPath`; or plaintext (loopback `aspen serve` only). */
  readonly transport: { tls: { trustBundlePath: string; tokenPath: string } } | { plaintext: true };
  /** Default {@link DEFAULT_FETCH_TIMEOUT_MS}. */
  readonly timeoutMs?: number;
}

function text(source: DataSource | undefined): string | undefined {
  const s = source?.specifier;
  if (s?.$case === 'inlineString') return s.value;
  if (s?.$case === 'inlineBytes') return new TextDecoder().decode(s.value);
  return undefined;
}

/** The PEM texts of the two Secrets, or why they are not usable. */
function pemsOf(secrets: readonly Secret[]): { chain: string; key: string; bundle: string } | string {
  const cert = secrets.find((s) => s.name === WORKLOAD_CERT_SECRET)?.type;
  const roots = secrets.find((s) => s.name === TRUST_BUNDLE_SECRET)?.type;
  if (cert?.$case !== 'tlsCertificate') return `secret ${WORKLOAD_CERT_SECRET} holds no tls_certificate`;
  if (roots?.$case !== 'validationContext')
    return `secret ${TRUST_BUNDLE_SECRET} holds no validation_context`;
  const chain = text(cert.value.certificateChain);
  const key = text(cert.value.privateKey);
  const bundle = text(roots.value.trustedCa);
  if (chain === undefined || key === undefined || bundle === undefined) return 'a secret is not inline PEM';
  return { chain, key, bundle };
}

/** The certificate files in two decoded Secrets, or why they are not usable (no key text in the message). */
export function filesFromSecrets(secrets: readonly Secret[]): CertificateFiles | string {
  const pems = pemsOf(secrets);
  if (typeof pems === 'string') return pems;
  let leaf: X509Certificate;
  try {
    leaf = new X509Certificate(pems.chain);
  } catch {
    return `secret ${WORKLOAD_CERT_SECRET}: the certificate chain does not parse`;
  }
  return {
    spiffeId: /URI:(spiffe:\/\/[^,\s]+)/.exec(leaf.subjectAltName ?? '')?.[1] ?? '',
    certificatePem: pems.chain,
    privateKeyPem: new SecretPem(pems.key),
    trustBundlePem: pems.bundle,
    notBefore: new Date(leaf.validFrom),
    notAfter: new Date(leaf.validTo),
  };
}

async function channel(
  options: SdsSourceOptions,
): Promise<{ creds: ChannelCredentials; metadata: Metadata }> {
  const metadata = new Metadata();
  if ('plaintext' in options.transport) return { creds: credentials.createInsecure(), metadata };
  const { trustBundlePath, tokenPath } = options.transport.tls;
  const token = (await readFile(tokenPath, 'utf8')).trim();
  metadata.set(AUTHORIZATION_METADATA, `Bearer ${token}`);
  return { creds: credentials.createSsl(await readFile(trustBundlePath)), metadata };
}

/** Opens one ADS stream, asks for both secrets, resolves with them (or rejects), and closes the stream. */
async function fetchSecrets(options: SdsSourceOptions): Promise<Secret[]> {
  const { creds, metadata } = await channel(options);
  const client = new AggregatedDiscoveryServiceClient(options.xdsAddress, creds);
  const call = client.streamAggregatedResources(metadata);
  try {
    return await new Promise<Secret[]>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `no secrets from ${options.xdsAddress} within ${options.timeoutMs ?? DEFAULT_FETCH_TIMEOUT_MS} ms`,
            ),
          ),
        options.timeoutMs ?? DEFAULT_FETCH_TIMEOUT_MS,
      );
      call.on('data', (response: DiscoveryResponse) => {
        if (response.typeUrl !== SECRET_TYPE_URL) return;
        const secrets = response.resources.map((any) => Secret.decode(any.value));
        clearTimeout(timer);
        resolve(secrets);
      });
      call.on('error', (error: Error) => {
        clearTimeout(timer);
        reject(new Error(`SDS from ${options.xdsAddress}: ${error.message}`));
      });
      call.write(
        DiscoveryRequest.fromPartial({
          node: { id: options.nodeId, cluster: options.nodeCluster, userAgentName: 'aspen-proxyless-agent' },
          typeUrl: SECRET_TYPE_URL,
          resourceNames: [WORKLOAD_CERT_SECRET, TRUST_BUNDLE_SECRET],
        }),
      );
    });
  } finally {
    call.cancel();
    client.close();
  }
}

/** A certificate source fetching from aspen's SDS (see the module comment). */
export function sdsSource(options: SdsSourceOptions): CertificateSource {
  return async () => {
    const files = filesFromSecrets(await fetchSecrets(options));
    if (typeof files === 'string') throw new Error(`SDS from ${options.xdsAddress}: ${files}`);
    return files;
  };
}
