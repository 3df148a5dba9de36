/**
 * Header sanitizing: the first HTTP filter on every inbound port. It removes every request header a client could
 * forge to impersonate something aspen or the mesh vouches for, before any other filter reads it:
 * - every `x-aspen-*` header (among them API_KEY_CLIENT_HEADER, which only the API-key check may set);
 * - every header a JWT provider's `forwardClaims` writes into, of Enforce and Audit policies alike;
 * - the usual forwarded-identity headers of auth proxies (FORGEABLE_IDENTITY_HEADERS). `x-forwarded-client-cert`
 *   is handled by the HTTP connection manager (`forward_client_cert_details: SANITIZE_SET`);
 * - every `x-envoy-*` header: Envoy strips them only from requests it deems external, and peers in the pod network
 *   (RFC 1918 addresses) count as internal by default, so a client could set retry, timeout or original-path
 *   headers that Envoy or the application would trust.
 */
import { HeaderMutation as HeaderMutationConfig } from '../../../gen/envoy/extensions/filters/http/header_mutation/v3/header_mutation.js';
import { HttpFilter } from '../../../gen/envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.js';
import type { HeaderMutation } from '../../../gen/envoy/config/common/mutation_rules/v3/mutation_rules.js';
import type { DeepPartial } from '../../../gen/envoy/extensions/filters/http/header_mutation/v3/header_mutation.js';
import { API_KEY_CLIENT_HEADER } from '../../../api/contracts.js';
import { packAny } from '../../proto/any.js';
import type { FilterOutput, HttpFilterModule, ModuleContext, PortPolicies } from './module.js';

/** Name of the sanitizing filter in the HTTP filter chain. */
export const SANITIZE_FILTER_NAME = 'aspen.sanitize';

/** Prefix of every header aspen itself sets; clients may never send one. */
export const ASPEN_HEADER_PREFIX = 'x-aspen-';

/** Prefix of Envoy's own control headers (retries, timeouts, original path); clients may never send one. */
export const ENVOY_HEADER_PREFIX = 'x-envoy-';

/**
 * Identity headers that auth proxies (oauth2-proxy, Apache `REMOTE_USER`, ingress auth) set and applications tend to
 * trust. A client sending one directly to the sidecar would impersonate a user, so they are always removed. Sorted.
 */
export const FORGEABLE_IDENTITY_HEADERS: readonly string[] = [
  'remote-user',
  'x-auth-request-email',
  'x-auth-request-groups',
  'x-auth-request-preferred-username',
  'x-auth-request-user',
  'x-forwarded-email',
  'x-forwarded-groups',
  'x-forwarded-preferred-username',
  'x-forwarded-user',
  'x-remote-user',
  'x-user',
];

/** Every header a JWT provider of the port (Enforce or Audit) writes a claim into, lower case, sorted, unique. */
export function claimHeaders(port: PortPolicies): string[] {
  const providers = [...(port.enforce.jwt?.providers ?? []), ...(port.audit?.jwt?.providers ?? [])];
  const headers = providers.flatMap((p) => p.forwardClaims.map((f) => f.header.toLowerCase()));
  return [...new Set(headers)].sort();
}

/** Every header removed by name (the `x-aspen-` prefix is removed by a prefix match besides), sorted, unique. */
export function removedHeaders(port: PortPolicies): string[] {
  return [...new Set([API_KEY_CLIENT_HEADER, ...FORGEABLE_IDENTITY_HEADERS, ...claimHeaders(port)])].sort();
}

/** Prefixes of headers removed from every client request, sorted. */
export const REMOVED_PREFIXES: readonly string[] = [ASPEN_HEADER_PREFIX, ENVOY_HEADER_PREFIX];

/** The request mutations: each removed prefix, then each header by name. */
function mutations(port: PortPolicies): DeepPartial<HeaderMutation>[] {
  const byPrefix = REMOVED_PREFIXES.map((prefix): DeepPartial<HeaderMutation> => ({
    action: {
      $case: 'removeOnMatch',
      value: { keyMatcher: { matchPattern: { $case: 'prefix', value: prefix } } },
    },
  }));
  const byName = removedHeaders(port).map((name): DeepPartial<HeaderMutation> => ({
    action: { $case: 'remove', value: name },
  }));
  return [...byPrefix, ...byName];
}

/** The sanitizing module: always one header_mutation filter. */
export const sanitizeFilter: HttpFilterModule = {
  id: 'sanitize',
  build(ctx: ModuleContext): FilterOutput {
    const config = HeaderMutationConfig.fromPartial({ mutations: { requestMutations: mutations(ctx.port) } });
    return {
      httpFilters: [
        HttpFilter.fromPartial({
          name: SANITIZE_FILTER_NAME,
          configType: { $case: 'typedConfig', value: packAny(config) },
        }),
      ],
      clusters: [],
    };
  },
};
