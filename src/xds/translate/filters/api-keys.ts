/**
 * API keys: Envoy ext_authz calling aspen's API-key check (the dataplane's gRPC `envoy.service.auth.v3.Authorization`
 * service) over DATAPLANE_CLUSTER; see docs/adr/0006-api-keys-via-ext-authz.md.
 *
 * - What the check receives: the request attributes Envoy always sends (method, path with query string, peer),
 *   plus, of the request headers, only the key header (`allowed_headers`); with a query-parameter key, only `:path`;
 *   other credentials (bearer tokens, cookies) are withheld explicitly (`disallowed_headers`).
 *   No body. The port's clients and key location travel as gRPC metadata (API_KEY_CHECK_METADATA).
 * - What it may change: only API_KEY_CLIENT_HEADER (`decoder_header_mutation_rules`: everything else is refused,
 *   and a refused mutation is an error, so the request fails rather than passing with a header missing).
 * - Failure is closed: an error or timeout (API_KEY_CHECK_TIMEOUT_MS) of the check denies the request
 *   (`failure_mode_allow: false`, 403).
 * - A missing key passes to authorization without the client header; an unknown key is refused by the check.
 * Only the Enforce set is translated; Audit-mode API keys are not checked yet.
 */
import { ExtAuthz } from '../../../gen/envoy/extensions/filters/http/ext_authz/v3/ext_authz.js';
import { ApiVersion } from '../../../gen/envoy/config/core/v3/config_source.js';
import { HttpFilter } from '../../../gen/envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.js';
import { API_KEY_CHECK_METADATA, API_KEY_CLIENT_HEADER } from '../../../api/contracts.js';
import type { ApiKeysIR } from '../../../ir/index.js';
import { dataplaneCluster } from '../clusters.js';
import { durationMs, typedConfig } from '../common.js';
import { DATAPLANE_CLUSTER } from '../names.js';
import type { FilterContext, FilterOutput, HttpFilterModule } from './module.js';

/** Name of the ext_authz filter. */
export const API_KEYS_FILTER_NAME = 'envoy.filters.http.ext_authz';
/** How long a check may take before the request is denied: one in-memory lookup one network hop away. */
export const API_KEY_CHECK_TIMEOUT_MS = 200;

/** `header:<name>` or `query:<name>`: where the key is read (API_KEY_CHECK_METADATA.source). */
export function keySource(apiKeys: ApiKeysIR): string {
  return 'header' in apiKeys.source ? `header:${apiKeys.source.header}` : `query:${apiKeys.source.query}`;
}

/** The request header sent to the check: the key header, or `:path` when the key is a query parameter. */
function sentHeader(apiKeys: ApiKeysIR): string {
  return 'header' in apiKeys.source ? apiKeys.source.header : ':path';
}

/** Credentials never sent to the check, even where Envoy would add them by default, unless they carry the key. */
const NEVER_SENT = ['authorization', 'cookie', 'proxy-authorization'];

/** The credential headers kept from the check (`disallowed_headers`, which overrides `allowed_headers`). */
function withheldHeaders(apiKeys: ApiKeysIR): string[] {
  return NEVER_SENT.filter((h) => h !== sentHeader(apiKeys));
}

/** RE2 regex (full match) of the only header the check may set. */
function onlyClientHeader(): string {
  return `^${API_KEY_CLIENT_HEADER.replace(/[-.]/g, (c) => `\\${c}`)}$`;
}

/** The ext_authz config of a port's API keys. */
export function extAuthzConfig(apiKeys: ApiKeysIR): ExtAuthz {
  const clients = apiKeys.clients.map((c) => c.id).sort();
  return ExtAuthz.fromPartial({
    services: {
      $case: 'grpcService',
      value: {
        targetSpecifier: { $case: 'envoyGrpc', value: { clusterName: DATAPLANE_CLUSTER } },
        timeout: durationMs(API_KEY_CHECK_TIMEOUT_MS),
        initialMetadata: [
          { key: API_KEY_CHECK_METADATA.clients, value: clients.join(',') },
          { key: API_KEY_CHECK_METADATA.source, value: keySource(apiKeys) },
        ],
      },
    },
    transportApiVersion: ApiVersion.V3,
    failureModeAllow: false,
    allowedHeaders: { patterns: [{ matchPattern: { $case: 'exact', value: sentHeader(apiKeys) } }] },
    disallowedHeaders: {
      patterns: withheldHeaders(apiKeys).map((h) => ({
        matchPattern: { $case: 'exact' as const, value: h },
      })),
    },
    decoderHeaderMutationRules: {
      disallowAll: true,
      allowExpression: { regex: onlyClientHeader() },
      disallowIsError: true,
    },
    validateMutations: true,
    statPrefix: 'aspen_api_keys',
  });
}

/** The API-key module: one ext_authz filter and the dataplane cluster, when the port configures API keys. */
export const apiKeysFilter: HttpFilterModule = {
  id: 'api-keys',
  build(ctx: FilterContext): FilterOutput {
    const apiKeys = ctx.port.enforce.apiKeys;
    if (apiKeys === undefined) return { httpFilters: [], clusters: [] };
    return {
      httpFilters: [
        HttpFilter.fromPartial({
          name: API_KEYS_FILTER_NAME,
          configType: typedConfig(extAuthzConfig(apiKeys)),
        }),
      ],
      clusters: [dataplaneCluster(ctx.config)],
    };
  },
};
