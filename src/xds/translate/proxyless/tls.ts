/**
 * TLS of proxyless gRPC workloads: certificates reach gRPC through the bootstrap's certificate provider instance
 * (`file_watcher` reading the files `aspen bootstrap --proxyless` writes and refreshes), never over SDS, which gRPC
 * does not implement. gRPC rejects `tls_params`, so the TLS versions are gRPC's own (TLS 1.2+). SPIFFE IDs are checked
 * with `match_subject_alt_names`, the only SAN matcher gRPC reads (it matches URI SANs among others).
 */
import { TransportSocket } from '../../../gen/envoy/config/core/v3/base.js';
import {
  CommonTlsContext,
  DownstreamTlsContext,
  UpstreamTlsContext,
} from '../../../gen/envoy/extensions/transport_sockets/tls/v3/tls.js';
import { typedConfig } from '../common.js';
import { TLS_TRANSPORT_SOCKET } from '../tls.js';
import { TRUST_BUNDLE_SECRET, WORKLOAD_CERT_SECRET } from '../names.js';
import { CERTIFICATE_PROVIDER_INSTANCE } from './names.js';

/** The workload certificate and the trust bundle from the certificate provider; `peers` are exact SPIFFE IDs. */
function commonContext(peers: readonly string[]): CommonTlsContext {
  return CommonTlsContext.fromPartial({
    tlsCertificateProviderInstance: {
      instanceName: CERTIFICATE_PROVIDER_INSTANCE,
      certificateName: WORKLOAD_CERT_SECRET,
    },
    validationContextType: {
      $case: 'validationContext',
      value: {
        caCertificateProviderInstance: {
          instanceName: CERTIFICATE_PROVIDER_INSTANCE,
          certificateName: TRUST_BUNDLE_SECRET,
        },
        matchSubjectAltNames: [...new Set(peers)]
          .sort()
          .map((id) => ({ matchPattern: { $case: 'exact' as const, value: id } })),
      },
    },
  });
}

/** Server side: a client certificate signed by the trust bundle is required; RBAC decides who may call. */
export function serverTlsSocket(): TransportSocket {
  const context = DownstreamTlsContext.fromPartial({
    commonTlsContext: commonContext([]),
    requireClientCertificate: true,
  });
  return TransportSocket.fromPartial({ name: TLS_TRANSPORT_SOCKET, configType: typedConfig(context) });
}

/** Client side: present the workload certificate; the server's must carry one of `serverIdentities`. */
export function clientTlsSocket(serverIdentities: readonly string[]): TransportSocket {
  const context = UpstreamTlsContext.fromPartial({ commonTlsContext: commonContext(serverIdentities) });
  return TransportSocket.fromPartial({ name: TLS_TRANSPORT_SOCKET, configType: typedConfig(context) });
}
