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
 *
 * Audit-mode API keys (PortIR.audit.apiKeys) get a second ext_authz filter, AUDIT_API_KEYS_FILTER_NAME, before the
 * enforcing one, that can never block the request or change it for the application except for two aspen-owned
 * headers (AUDIT_API_KEY_CHECK in src/api/contracts.ts, read by the Audit shadow rules and the access log):
 * - `shadow_mode`: a denial or an error of the check never terminates the request (Envoy records it in filter
 *   state); `failure_mode_allow` besides, without the `x-envoy-auth-failure-mode-allowed` header, and no
 *   `status_on_error`, `deny_at_disable` or `filter_enabled`: there is no configured path to a local reply;
 * - `decoder_header_mutation_rules` keep only AUDIT_API_KEY_CHECK.clientHeader and `.deniedHeader`; any other
 *   mutation is dropped without error (`disallow_is_error: false`), and mutations are not validated into a 500
 *   (`validate_mutations: false`); dynamic metadata from the check is ignored;
 * - the check is told it is an audit check (API_KEY_CHECK_METADATA.mode), for which the dataplane answers OK always.
 */
import { ExtAuthz } from '../../../gen/envoy/extensions/filters/http/ext_authz/v3/ext_authz.js';
import { ApiVersion } from '../../../gen/envoy/config/core/v3/config_source.js';
import { HttpFilter } from '../../../gen/envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.js';
import {
  API_KEY_CHECK_METADATA,
  API_KEY_CLIENT_HEADER,
  AUDIT_API_KEY_CHECK,
} from '../../../api/contracts.js';
import type { ApiKeysIR } from '../../../ir/index.js';
import { dataplaneCluster } from '../clusters.js';
import { durationMs, typedConfig } from '../common.js';
import { DATAPLANE_CLUSTER } from '../names.js';
import type { FilterOutput, HttpFilterModule, ModuleContext } from './module.js';

/** Name of the ext_authz filter. */
export const API_KEYS_FILTER_NAME = 'envoy.filters.http.ext_authz';
/** Name of the Audit-mode ext_authz filter (its shadow decision is in filter state under `<name>.shadow`). */
export const AUDIT_API_KEYS_FILTER_NAME = 'aspen.ext_authz.audit_api_keys';
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

/** RE2 regex (full match) of exactly these header names. */
function onlyHeaders(names: readonly string[]): string {
  const escaped = names.map((name) => name.replace(/[-.]/g, (c) => `\\${c}`));
  return escaped.length === 1 ? `^${escaped[0]}$` : `^(${escaped.join('|')})$`;
}

/** The gRPC service of the check, with the port's clients and key location (and the mode, for an audit check). */
function checkService(apiKeys: ApiKeysIR, mode: 'enforce' | 'audit'): ExtAuthz['services'] {
  const clients = apiKeys.clients.map((c) => c.id).sort();
  const modeMetadata =
    mode === 'audit' ? [{ key: API_KEY_CHECK_METADATA.mode, value: AUDIT_API_KEY_CHECK.mode }] : [];
  return ExtAuthz.fromPartial({
    services: {
      $case: 'grpcService',
      value: {
        targetSpecifier: { $case: 'envoyGrpc', value: { clusterName: DATAPLANE_CLUSTER } },
        timeout: durationMs(API_KEY_CHECK_TIMEOUT_MS),
        initialMetadata: [
          { key: API_KEY_CHECK_METADATA.clients, value: clients.join(',') },
          { key: API_KEY_CHECK_METADATA.source, value: keySource(apiKeys) },
          ...modeMetadata,
        ],
      },
    },
  }).services;
}

/** What the check is sent: the key header only (credentials that do not carry the key withheld). */
function sentHeaders(apiKeys: ApiKeysIR): Pick<ExtAuthz, 'allowedHeaders' | 'disallowedHeaders'> {
  const { allowedHeaders, disallowedHeaders } = ExtAuthz.fromPartial({
    allowedHeaders: { patterns: [{ matchPattern: { $case: 'exact', value: sentHeader(apiKeys) } }] },
    disallowedHeaders: {
      patterns: withheldHeaders(apiKeys).map((h) => ({
        matchPattern: { $case: 'exact' as const, value: h },
      })),
    },
  });
  return { allowedHeaders, disallowedHeaders };
}

/** The ext_authz config of a port's (Enforce-mode) API keys. */
export function extAuthzConfig(apiKeys: ApiKeysIR): ExtAuthz {
  return ExtAuthz.fromPartial({
    services: checkService(apiKeys, 'enforce'),
    transportApiVersion: ApiVersion.V3,
    failureModeAllow: false,
    ...sentHeaders(apiKeys),
    decoderHeaderMutationRules: {
      disallowAll: true,
      allowExpression: { regex: onlyHeaders([API_KEY_CLIENT_HEADER]) },
      disallowIsError: true,
    },
    validateMutations: true,
    statPrefix: 'aspen_api_keys',
  });
}

/** The ext_authz config of a port's Audit-mode API keys: it never blocks (see the module comment). */
export function auditExtAuthzConfig(apiKeys: ApiKeysIR): ExtAuthz {
  return ExtAuthz.fromPartial({
    services: checkService(apiKeys, 'audit'),
    transportApiVersion: ApiVersion.V3,
    shadowMode: true,
    failureModeAllow: true,
    failureModeAllowHeaderAdd: false,
    ...sentHeaders(apiKeys),
    decoderHeaderMutationRules: {
      disallowAll: true,
      allowExpression: {
        regex: onlyHeaders([AUDIT_API_KEY_CHECK.clientHeader, AUDIT_API_KEY_CHECK.deniedHeader]),
      },
      disallowIsError: false,
    },
    validateMutations: false,
    enableDynamicMetadataIngestion: false,
    statPrefix: 'aspen_audit_api_keys',
  });
}

/** An ext_authz HTTP filter. */
function extAuthzFilter(name: string, config: ExtAuthz): HttpFilter {
  return HttpFilter.fromPartial({ name, configType: typedConfig(config) });
}

/**
 * The API-key module: the Audit ext_authz filter (when Audit policies configure API keys), then the enforcing one
 * (when Enforce policies do), and the dataplane cluster when there is either.
 */
export const apiKeysFilter: HttpFilterModule = {
  id: 'api-keys',
  build(ctx: ModuleContext): FilterOutput {
    const audit = ctx.port.audit?.apiKeys;
    const enforce = ctx.port.enforce.apiKeys;
    const httpFilters: HttpFilter[] = [];
    if (audit !== undefined)
      httpFilters.push(extAuthzFilter(AUDIT_API_KEYS_FILTER_NAME, auditExtAuthzConfig(audit)));
    if (enforce !== undefined)
      httpFilters.push(extAuthzFilter(API_KEYS_FILTER_NAME, extAuthzConfig(enforce)));
    return { httpFilters, clusters: httpFilters.length > 0 ? [dataplaneCluster(ctx.config)] : [] };
  },
};
