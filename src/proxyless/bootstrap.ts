/**
 * The gRPC xDS bootstrap of a proxyless workload (`aspen bootstrap --proxyless`, and the injector): the xDS server,
 * the node (`id` `<namespace>/<pod>`, `cluster` `<namespace>/<workload>`, the proxyless marker in metadata), the
 * `file_watcher` certificate provider instance the translated resources name, and the server Listener name template
 * (gRFC A36). Plain JSON in gRPC's bootstrap field names; no key material, only file paths.
 */
import { join } from 'node:path';
import { CERTIFICATE_PROVIDER_INSTANCE, SERVER_LISTENER_TEMPLATE } from '../xds/translate/proxyless/names.js';
import { PROXYLESS_ANNOTATION } from './annotations.js';

/** Default directory of the bootstrap and certificate files inside a proxyless pod. */
export const DEFAULT_PROXYLESS_DIR = '/var/run/aspen/grpc';
/** File names inside that directory. */
export const ProxylessFiles = {
  /** The bootstrap (point `GRPC_XDS_BOOTSTRAP` at it). */
  bootstrap: 'bootstrap.json',
  /** The workload certificate chain (PEM). */
  certificate: 'cert.pem',
  /** The workload private key (PKCS#8 PEM, mode 0600). */
  privateKey: 'key.pem',
  /** The trust bundle (PEM). */
  trustBundle: 'ca.pem',
} as const;
/** How often gRPC re-reads the certificate files. */
export const DEFAULT_REFRESH_INTERVAL_S = 60;

/** How the workload reaches aspen's xDS server. */
export type ChannelCreds =
  /** Plaintext: only to a loopback `aspen serve --xds-insecure` (grpc-js-xds 1.14 supports nothing else but google_default). */
  | { type: 'insecure' }
  /**
   * TLS verifying aspen's serving certificate against the trust bundle (gRFC A65), with the projected ServiceAccount
   * token at `tokenPath` as `jwt_token_file` call credentials (gRFC A97, ADR 9). grpc-js-xds 1.14 supports neither.
   */
  | { type: 'tls'; tokenPath: string };

/** Inputs of {@link grpcBootstrap}. */
export interface GrpcBootstrapOptions {
  /** Namespace of the workload. */
  readonly namespace: string;
  /** Workload name. */
  readonly workload: string;
  /** Pod name (node.id); default the workload name. */
  readonly pod?: string;
  /** `host:port` of aspen's xDS server. */
  readonly xdsAddress: string;
  /** Transport to aspen. */
  readonly channelCreds: ChannelCreds;
  /** Directory holding the certificate files (as the workload sees it). */
  readonly dir: string;
  /** Seconds between re-reads of the certificate files; default 60. */
  readonly refreshIntervalS?: number;
}

/** A JSON object. */
export type JsonObject = { [key: string]: JsonValue };
/** A JSON value. */
export type JsonValue = string | number | boolean | null | JsonValue[] | JsonObject;

/** The `xds_servers` entry: plaintext, or TLS with the token as call credentials. */
function xdsServer(options: GrpcBootstrapOptions): JsonObject {
  const server = { server_uri: options.xdsAddress, server_features: ['xds_v3'] };
  const creds = options.channelCreds;
  if (creds.type === 'insecure') return { ...server, channel_creds: [{ type: 'insecure' }] };
  return {
    ...server,
    channel_creds: [
      { type: 'tls', config: { ca_certificate_file: join(options.dir, ProxylessFiles.trustBundle) } },
    ],
    call_creds: [{ type: 'jwt_token_file', config: { jwt_token_file: creds.tokenPath } }],
  };
}

/** The bootstrap JSON. */
export function grpcBootstrap(options: GrpcBootstrapOptions): JsonObject {
  const { dir } = options;
  return {
    xds_servers: [xdsServer(options)],
    node: {
      id: `${options.namespace}/${options.pod ?? options.workload}`,
      cluster: `${options.namespace}/${options.workload}`,
      // grpc-js-xds refuses a node without a locality; aspen does not use one.
      locality: {},
      metadata: { [PROXYLESS_ANNOTATION]: 'true' },
    },
    certificate_providers: {
      [CERTIFICATE_PROVIDER_INSTANCE]: {
        plugin_name: 'file_watcher',
        config: {
          certificate_file: join(dir, ProxylessFiles.certificate),
          private_key_file: join(dir, ProxylessFiles.privateKey),
          ca_certificate_file: join(dir, ProxylessFiles.trustBundle),
          refresh_interval: `${options.refreshIntervalS ?? DEFAULT_REFRESH_INTERVAL_S}s`,
        },
      },
    },
    server_listener_resource_name_template: SERVER_LISTENER_TEMPLATE,
  };
}
