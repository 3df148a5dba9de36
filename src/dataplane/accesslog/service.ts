/**
 * aspen's access-log service (`envoy.service.accesslog.v3.AccessLogService/StreamAccessLogs`): a sidecar streams
 * its HTTP access-log entries; each becomes one audit record (record.ts) written as one pino JSON line to the audit
 * logger, and counted in the request and denial metrics. The workload is the stream's `node.cluster` when its
 * namespace is the caller's (the sidecar's certificate), else `<caller namespace>/unknown`.
 */
import type { ServerReadableStream, sendUnaryData } from '@grpc/grpc-js';
import { ACCESS_LOG_CONTRACT } from '../../api/contracts.js';
import type {
  StreamAccessLogsMessage,
  StreamAccessLogsResponse,
} from '../../gen/envoy/service/accesslog/v3/als.js';
import type { Logger } from '../../xds/server/types.js';
import type { CallerIdentity } from '../identity.js';
import type { DataplaneMetrics } from '../metrics.js';
import type { DataplaneState } from '../state.js';
import { auditRecord, shouldRecord } from './record.js';
import type { AuditRecord } from './record.js';

/** Entries taken from one message; more are dropped (and counted in the log). */
export const MAX_ENTRIES_PER_MESSAGE = 1000;

/** What the service writes to. */
export interface AccessLogDeps {
  /** The current state (logging settings, redaction). */
  state: () => DataplaneState;
  /** The audit log: one `info` line per record. */
  audit: Logger;
  /** Operational log (streams, dropped entries). */
  logger: Logger;
  /** Counters. */
  metrics: DataplaneMetrics;
}

/** The message of an audit line. */
export const AUDIT_MESSAGE = 'request';

function workloadOf(message: StreamAccessLogsMessage, caller: CallerIdentity): string | undefined {
  const cluster = message.identifier?.node?.cluster;
  if (cluster === undefined || cluster === '') return undefined;
  return cluster.startsWith(`${caller.namespace}/`) ? cluster.slice(0, 256) : `${caller.namespace}/unknown`;
}

/** Writes and counts one record. */
export function emit(record: AuditRecord, deps: AccessLogDeps): void {
  const labels = { workload: record.workload, policy: record.policy ?? '', rule: record.rule ?? '' };
  deps.metrics.request({ ...labels, decision: record.decision });
  if (record.decision !== 'allow')
    deps.metrics.denial({ ...labels, reason: record.reason ?? record.decision });
  if (shouldRecord(record, deps.state())) deps.audit.info({ ...record }, AUDIT_MESSAGE);
}

/** Handles one stream for an authenticated caller. */
export function handleAccessLogStream(
  call: ServerReadableStream<StreamAccessLogsMessage, StreamAccessLogsResponse>,
  callback: sendUnaryData<StreamAccessLogsResponse>,
  caller: CallerIdentity,
  deps: AccessLogDeps,
): void {
  let workload = `${caller.namespace}/unknown`;
  let logName: string = ACCESS_LOG_CONTRACT.logName;
  call.on('data', (message: StreamAccessLogsMessage) => {
    workload = workloadOf(message, caller) ?? workload;
    if (message.identifier !== undefined) logName = message.identifier.logName;
    if (logName !== ACCESS_LOG_CONTRACT.logName || message.logEntries?.$case !== 'httpLogs') return;
    const entries = message.logEntries.value.logEntry;
    if (entries.length > MAX_ENTRIES_PER_MESSAGE) {
      deps.logger.warn({ caller: caller.spiffeId, entries: entries.length }, 'access-log message truncated');
    }
    const stream = { workload, reporter: caller.spiffeId };
    for (const entry of entries.slice(0, MAX_ENTRIES_PER_MESSAGE)) {
      emit(auditRecord(entry, stream, deps.state()), deps);
    }
  });
  call.on('error', () => undefined);
  call.on('end', () => callback(null, { $type: 'envoy.service.accesslog.v3.StreamAccessLogsResponse' }));
}
