/**
 * TLS contexts: the workload certificate and the trust bundle always come over SDS (from the ADS stream), never
 * inline, so no key material is ever part of the translated resources. SPIFFE IDs are checked as URI SANs.
 */
import { ConfigSource, ApiVersion } from '../../gen/envoy/config/core/v3/config_source.js';
import { TransportSocket } from '../../gen/envoy/config/core/v3/base.js';
import {
  SubjectAltNameMatcher,
  SubjectAltNameMatcher_SanType,
  TlsParameters_TlsProtocol,
} from '../../gen/envoy/extensions/transport_sockets/tls/v3/common.js';
import { SdsSecretConfig } from '../../gen/envoy/extensions/transport_sockets/tls/v3/secret.js';
import {
  CommonTlsContext,
  DownstreamTlsContext,
  UpstreamTlsContext,
} from '../../gen/envoy/extensions/transport_sockets/tls/v3/tls.js';
import { typedConfig } from './common.js';
import { TRUST_BUNDLE_SECRET, WORKLOAD_CERT_SECRET } from './names.js';

/** Name of Envoy's TLS transport socket. */
export const TLS_TRANSPORT_SOCKET = 'envoy.transport_sockets.tls';

/** A config source pointing at the ADS stream the proxy already has with aspen. */
export function adsConfigSource(): ConfigSource {
  return ConfigSource.fromPartial({
    configSourceSpecifier: { $case: 'ads', value: {} },
    resourceApiVersion: ApiVersion.V3,
  });
}

/** A reference to an SDS secret served over ADS. */
export function sdsSecret(name: string): SdsSecretConfig {
  return SdsSecretConfig.fromPartial({ name, sdsConfig: adsConfigSource() });
}

/** URI SAN exact matchers, one per SPIFFE ID (sorted, de-duplicated). */
export function spiffeSanMatchers(identities: readonly string[]): SubjectAltNameMatcher[] {
  return [...new Set(identities)].sort().map((id) =>
    SubjectAltNameMatcher.fromPartial({
      sanType: SubjectAltNameMatcher_SanType.URI,
      matcher: { matchPattern: { $case: 'exact', value: id } },
    }),
  );
}

/**
 * TLS 1.2 or newer, the workload certificate over SDS, and the trust bundle over SDS combined with SAN matchers for
 * `peerIdentities` (none: any certificate the trust bundle signs).
 */
export function commonTlsContext(
  peerIdentities: readonly string[],
  alpn: readonly string[] = [],
): CommonTlsContext {
  return CommonTlsContext.fromPartial({
    tlsParams: { tlsMinimumProtocolVersion: TlsParameters_TlsProtocol.TLSv1_2 },
    tlsCertificateSdsSecretConfigs: [sdsSecret(WORKLOAD_CERT_SECRET)],
    validationContextType: {
      $case: 'combinedValidationContext',
      value: {
        defaultValidationContext: { matchTypedSubjectAltNames: spiffeSanMatchers(peerIdentities) },
        validationContextSdsSecretConfig: sdsSecret(TRUST_BUNDLE_SECRET),
      },
    },
    alpnProtocols: [...alpn],
  });
}

/**
 * The server side of mesh mTLS: a client certificate signed by the trust bundle is required (peers without one fail
 * the handshake). Which identities may connect is decided later by the segmentation and HTTP RBAC filters.
 */
export function downstreamTlsSocket(): TransportSocket {
  const context = DownstreamTlsContext.fromPartial({
    commonTlsContext: commonTlsContext([], ['h2', 'http/1.1']),
    requireClientCertificate: true,
  });
  return TransportSocket.fromPartial({ name: TLS_TRANSPORT_SOCKET, configType: typedConfig(context) });
}

/**
 * The client side of mesh mTLS: present the workload certificate, require a server certificate signed by the trust
 * bundle whose URI SAN is one of `serverIdentities`, and send `sni`.
 */
export function upstreamTlsSocket(
  sni: string,
  serverIdentities: readonly string[],
  alpn: readonly string[] = [],
): TransportSocket {
  const context = UpstreamTlsContext.fromPartial({
    commonTlsContext: commonTlsContext(serverIdentities, alpn),
    sni,
  });
  return TransportSocket.fromPartial({ name: TLS_TRANSPORT_SOCKET, configType: typedConfig(context) });
}
