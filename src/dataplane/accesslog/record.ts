/**
 * One audit record per access-log entry: a fixed set of fields, so nothing else from the request — no credential,
 * no query string, no header outside the list — can reach the log. Headers listed in the deciding policy's
 * `logging.redactHeaders` are left out too. Pure.
 */
import { API_KEY_CLIENT_HEADER, ACCESS_LOG_CONTRACT, AUDIT_API_KEY_CHECK } from '../../api/contracts.js';
import type { HTTPAccessLogEntry } from '../../gen/envoy/data/accesslog/v3/accesslog.js';
import { RequestMethod, requestMethodToJSON } from '../../gen/envoy/config/core/v3/base.js';
import type { DataplaneState } from '../state.js';
import type { Decision, DecisionInfo } from './decision.js';
import { decisionOf } from './decision.js';

/** One audit log record (the pino line's fields besides `msg`/`level`). */
export interface AuditRecord {
  /** Request start (ISO 8601); `time` is pino's (when the line was written). */
  start_time?: string;
  /** `<namespace>/<workload>` of the sidecar that decided. */
  workload: string;
  /** SPIFFE ID of the sidecar that reported the record. */
  reporter: string;
  /** The calling peer's SPIFFE ID (mTLS), when it had one. */
  source_identity?: string;
  /** The calling peer's IP address. */
  source_address?: string;
  /** Verified JWT `sub`. */
  jwt_subject?: string;
  /** Verified JWT `iss`. */
  jwt_issuer?: string;
  /** The API-key client the check found. */
  api_key_client?: string;
  /** What the Audit-mode API-key check found. */
  audit_api_key_client?: string;
  /** HTTP method. */
  method?: string;
  /** Path without the query string. */
  path?: string;
  /** Response status. */
  status?: number;
  /** allow / deny / rate-limited / audit-would-deny. */
  decision: Decision;
  /** Why, for denials and would-denials. */
  reason?: string;
  /** The deciding policy. */
  policy?: string;
  /** The deciding rule. */
  rule?: string;
  /** Request duration in milliseconds. */
  latency_ms?: number;
}

function set<K extends keyof AuditRecord>(
  record: AuditRecord,
  key: K,
  value: AuditRecord[K] | undefined,
): void {
  if (value !== undefined && value !== '') record[key] = value;
}

function peerIdentity(entry: HTTPAccessLogEntry): string | undefined {
  const sans = entry.commonProperties?.tlsProperties?.peerCertificateProperties?.subjectAltName ?? [];
  const uri = sans.find((s) => s.san?.$case === 'uri' && s.san.value.startsWith('spiffe://'));
  return uri?.san?.value;
}

function peerAddress(entry: HTTPAccessLogEntry): string | undefined {
  const address = entry.commonProperties?.downstreamRemoteAddress?.address;
  return address?.$case === 'socketAddress' ? address.value.address : undefined;
}

function jwtClaims(entry: HTTPAccessLogEntry): { sub?: unknown; iss?: unknown } {
  const jwt = entry.commonProperties?.metadata?.filterMetadata[ACCESS_LOG_CONTRACT.jwtNamespace];
  const payload: unknown = jwt?.[ACCESS_LOG_CONTRACT.jwtPayloadKey];
  return typeof payload === 'object' && payload !== null ? payload : {};
}

function durationMs(entry: HTTPAccessLogEntry): number | undefined {
  const d = entry.commonProperties?.duration ?? entry.commonProperties?.timeToLastDownstreamTxByte;
  return d === undefined ? undefined : d.seconds * 1000 + Math.round(d.nanos / 1_000_000);
}

function stringClaim(value: unknown): string | undefined {
  return typeof value === 'string' ? value.slice(0, 256) : undefined;
}

/** Headers that must not be logged for this decision: the deciding policy's, or every policy's when none decided. */
function redacted(state: DataplaneState, info: DecisionInfo): Set<string> {
  const policies = info.policy !== undefined ? [state.logging.get(info.policy)] : [...state.logging.values()];
  return new Set(policies.flatMap((p) => p?.redactHeaders ?? []));
}

function header(entry: HTTPAccessLogEntry, name: string, hidden: Set<string>): string | undefined {
  if (hidden.has(name)) return undefined;
  const value = entry.request?.requestHeaders[name];
  return value === undefined ? undefined : value.slice(0, 256);
}

/** The audit record of one entry. */
export function auditRecord(
  entry: HTTPAccessLogEntry,
  stream: { workload: string; reporter: string },
  state: DataplaneState,
): AuditRecord {
  const info = decisionOf(entry);
  const record: AuditRecord = {
    workload: stream.workload,
    reporter: stream.reporter,
    decision: info.decision,
  };
  const hidden = redacted(state, info);
  const claims = jwtClaims(entry);
  set(record, 'start_time', entry.commonProperties?.startTime?.toISOString());
  set(record, 'source_identity', peerIdentity(entry));
  set(record, 'source_address', peerAddress(entry));
  set(record, 'jwt_subject', stringClaim(claims.sub));
  set(record, 'jwt_issuer', stringClaim(claims.iss));
  set(record, 'api_key_client', header(entry, API_KEY_CLIENT_HEADER, hidden));
  set(record, 'audit_api_key_client', header(entry, AUDIT_API_KEY_CHECK.clientHeader, hidden));
  const method = entry.request?.requestMethod;
  set(
    record,
    'method',
    method === undefined || method === RequestMethod.METHOD_UNSPECIFIED
      ? undefined
      : requestMethodToJSON(method),
  );
  set(record, 'path', (entry.request?.path ?? '').split('?')[0]?.slice(0, 2048));
  set(record, 'status', entry.response?.responseCode);
  set(record, 'reason', info.reason);
  set(record, 'policy', info.policy);
  set(record, 'rule', info.rule);
  set(record, 'latency_ms', durationMs(entry));
  return record;
}

/**
 * Whether a record is written: always for denials and would-denials (security events); for an allowed request
 * unless the deciding policy turned its access log off.
 */
export function shouldRecord(record: AuditRecord, state: DataplaneState): boolean {
  if (record.decision !== 'allow') return true;
  if (record.policy === undefined) return true;
  return state.logging.get(record.policy)?.accessLog ?? true;
}
