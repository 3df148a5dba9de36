/**
 * One Envoy JwtProvider per JwtProviderIR, and the clusters that fetch remote JWKS documents.
 *
 * Every provider rejects tokens without `exp` (`require_expiration`), tolerates the configured clock skew, and
 * writes the verified payload into the jwt_authn dynamic metadata (namespace `envoy.filters.http.jwt_authn`) under
 * one fixed key shared by all providers of a filter — ENFORCE_PAYLOAD_KEY for the enforcing filter,
 * AUDIT_PAYLOAD_KEY for the Audit one — where RBAC matches `jwtClaims`.
 */
import { ACCESS_LOG_CONTRACT } from '../../../api/contracts.js';
import type { Cluster } from '../../../gen/envoy/config/cluster/v3/cluster.js';
import { TransportSocket } from '../../../gen/envoy/config/core/v3/base.js';
import { JwtProvider } from '../../../gen/envoy/extensions/filters/http/jwt_authn/v3/config.js';
import type { DeepPartial } from '../../../gen/envoy/extensions/filters/http/jwt_authn/v3/config.js';
import { SubjectAltNameMatcher_SanType } from '../../../gen/envoy/extensions/transport_sockets/tls/v3/common.js';
import { UpstreamTlsContext } from '../../../gen/envoy/extensions/transport_sockets/tls/v3/tls.js';
import type { JwksIR, JwtProviderIR, TokenSourceIR } from '../../../ir/index.js';
import { dnsCluster } from '../clusters.js';
import { durationMs, typedConfig } from '../common.js';
import { jwksCluster } from '../names.js';

/** Metadata key of verified payloads of the enforcing jwt_authn filter. */
export const ENFORCE_PAYLOAD_KEY = ACCESS_LOG_CONTRACT.jwtPayloadKey;
/** Metadata key of verified payloads of the Audit jwt_authn filter. */
export const AUDIT_PAYLOAD_KEY = 'jwt_payload_audit';
/** The system CA bundle JWKS servers are verified against (as in the Envoy images, Debian/Ubuntu based). */
export const SYSTEM_CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';

/** Host and port a JWKS URI is fetched from (port 443 unless given). */
export function jwksHost(uri: string): { host: string; port: number } {
  const url = new URL(uri);
  return { host: url.hostname, port: url.port === '' ? 443 : Number(url.port) };
}

/** Name of the cluster fetching JWKS from a URI's host: one cluster per host and port, shared by providers. */
export function jwksClusterName(uri: string): string {
  const { host, port } = jwksHost(uri);
  return jwksCluster(`${host}:${port}`);
}

/**
 * The cluster fetching a remote JWKS: STRICT_DNS to the URI's host, TLS with SNI = host, the server certificate
 * verified against the system CA bundle and required to name the host (DNS SAN).
 */
export function jwksClusterFor(uri: string): Cluster {
  const { host, port } = jwksHost(uri);
  const tls = UpstreamTlsContext.fromPartial({
    sni: host,
    commonTlsContext: {
      validationContextType: {
        $case: 'validationContext',
        value: {
          trustedCa: { specifier: { $case: 'filename', value: SYSTEM_CA_BUNDLE } },
          matchTypedSubjectAltNames: [
            {
              sanType: SubjectAltNameMatcher_SanType.DNS,
              matcher: { matchPattern: { $case: 'exact', value: host } },
            },
          ],
        },
      },
    },
  });
  return dnsCluster(jwksClusterName(uri), {
    target: { host, port },
    transportSocket: TransportSocket.fromPartial({
      name: 'envoy.transport_sockets.tls',
      configType: typedConfig(tls),
    }),
  });
}

/**
 * Where the keys come from: remote JWKS through its host's cluster (fetched when the listener is created and
 * refreshed in the background, `async_fetch`, so no request waits for it), or the document inline.
 */
function jwksSource(jwks: JwksIR): DeepPartial<JwtProvider>['jwksSourceSpecifier'] {
  if ('remote' in jwks) {
    const { uri, cacheDurationMs, timeoutMs } = jwks.remote;
    return {
      $case: 'remoteJwks',
      value: {
        httpUri: {
          uri,
          httpUpstreamType: { $case: 'cluster', value: jwksClusterName(uri) },
          timeout: durationMs(timeoutMs),
        },
        cacheDuration: durationMs(cacheDurationMs),
        asyncFetch: {},
      },
    };
  }
  return { $case: 'localJwks', value: { specifier: { $case: 'inlineString', value: jwks.inline } } };
}

/** Token locations split by kind, order kept within each kind. */
function tokenLocations(
  sources: TokenSourceIR[],
): Pick<DeepPartial<JwtProvider>, 'fromHeaders' | 'fromParams' | 'fromCookies'> {
  const fromHeaders: { name: string; valuePrefix: string }[] = [];
  const fromParams: string[] = [];
  const fromCookies: string[] = [];
  for (const source of sources) {
    if ('header' in source) fromHeaders.push({ name: source.header, valuePrefix: source.prefix });
    else if ('query' in source) fromParams.push(source.query);
    else fromCookies.push(source.cookie);
  }
  return { fromHeaders, fromParams, fromCookies };
}

/** How a provider is used: by the enforcing filter, or by the Audit one (which forwards no claims). */
export type ProviderMode = 'enforce' | 'audit';

/**
 * The Envoy provider of one JwtProviderIR. Enforce: the token is removed from the request (`forward: false`) and
 * `forwardClaims` are written into headers. Audit: the token is left in place (the enforcing filter or the
 * application may need it) and no header is written, so Audit changes nothing the application sees.
 */
export function jwtProvider(provider: JwtProviderIR, mode: ProviderMode): JwtProvider {
  const enforce = mode === 'enforce';
  return JwtProvider.fromPartial({
    issuer: provider.issuer,
    audiences: provider.audiences,
    requireExpiration: true,
    jwksSourceSpecifier: jwksSource(provider.jwks),
    forward: !enforce,
    ...tokenLocations(provider.sources),
    payloadInMetadata: enforce ? ENFORCE_PAYLOAD_KEY : AUDIT_PAYLOAD_KEY,
    clockSkewSeconds: provider.clockSkewSeconds,
    claimToHeaders: enforce
      ? provider.forwardClaims.map((f) => ({ headerName: f.header, claimName: f.claim }))
      : [],
  });
}

/** The clusters a set of providers needs (one per remote JWKS host), sorted by name, unique. */
export function jwksClusters(providers: JwtProviderIR[]): Cluster[] {
  const byName = new Map<string, Cluster>();
  for (const provider of providers) {
    if ('remote' in provider.jwks) {
      const cluster = jwksClusterFor(provider.jwks.remote.uri);
      byName.set(cluster.name, cluster);
    }
  }
  return [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
}
