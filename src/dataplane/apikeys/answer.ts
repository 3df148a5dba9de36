/**
 * The ext_authz answers of the API-key check (docs/adr/0006-api-keys-via-ext-authz.md). Enforce: OK with
 * API_KEY_CLIENT_HEADER for a known key, OK with nothing for no key, PERMISSION_DENIED (403) otherwise, with the
 * reason as dynamic metadata for the access log. Audit: always OK, setting only AUDIT_API_KEY_CHECK's two headers.
 */
import { ACCESS_LOG_CONTRACT, API_KEY_CLIENT_HEADER, AUDIT_API_KEY_CHECK } from '../../api/contracts.js';
import { HeaderValueOption_HeaderAppendAction } from '../../gen/envoy/config/core/v3/base.js';
import { CheckResponse } from '../../gen/envoy/service/auth/v3/external_auth.js';
import { StatusCode } from '../../gen/envoy/type/v3/http_status.js';

/** google.rpc.Code values used. */
const RPC_OK = 0;
const RPC_PERMISSION_DENIED = 7;

/** Why a key was refused. */
export type RefusalReason = 'unknown-key' | 'caller-limited';

function okWith(headers: readonly [string, string][]): CheckResponse {
  return CheckResponse.fromPartial({
    status: { code: RPC_OK },
    httpResponse: {
      $case: 'okResponse',
      value: {
        headers: headers.map(([key, value]) => ({
          header: { key, value },
          appendAction: HeaderValueOption_HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD,
        })),
      },
    },
  });
}

/** Enforce: the client's name in API_KEY_CLIENT_HEADER. */
export function allowClient(name: string): CheckResponse {
  return okWith([[API_KEY_CLIENT_HEADER, name]]);
}

/** OK without any change (no key; or Audit mode with nothing to record). */
export function allowUnchanged(): CheckResponse {
  return okWith([]);
}

/** Enforce: 403, reason in dynamic metadata (never the key). */
export function deny(reason: RefusalReason): CheckResponse {
  return CheckResponse.fromPartial({
    status: { code: RPC_PERMISSION_DENIED, message: 'API key refused' },
    httpResponse: {
      $case: 'deniedResponse',
      value: { status: { code: StatusCode.Forbidden }, body: 'API key refused\n' },
    },
    dynamicMetadata: { reason },
  });
}

/** Audit: the client the key belongs to. */
export function auditClient(name: string): CheckResponse {
  return okWith([[AUDIT_API_KEY_CHECK.clientHeader, name]]);
}

/** Audit: the key would be refused. */
export function auditUnknown(): CheckResponse {
  return okWith([[AUDIT_API_KEY_CHECK.deniedHeader, AUDIT_API_KEY_CHECK.unknownKey]]);
}

/** Where the check's metadata lands in the access log (re-exported for tests). */
export const API_KEY_METADATA_NAMESPACE = ACCESS_LOG_CONTRACT.apiKeyNamespace;
