/**
 * The per-replica sync report (contracts.md): ConfigMap `aspen-sync-<replica-id>` in aspen's namespace, labelled
 * `aspen.dev/sync-report=true`, whose `report.json` holds one replica's {@link PolicySync} entries. Its size is
 * O(policies), not O(proxies): counts per policy generation plus a few samples; when even that exceeds the budget the
 * samples are shortened, then dropped (counts are never dropped). Pure encoding and decoding.
 */
import type { PolicySync } from '../status/replica-summary.js';

/** Label on every report ConfigMap. */
export const REPORT_LABEL = 'aspen.dev/sync-report';
/** Name prefix of report ConfigMaps. */
export const REPORT_PREFIX = 'aspen-sync-';
/** The data key holding the report. */
export const REPORT_KEY = 'report.json';
/** Budget for `report.json` (ConfigMaps are limited to 1 MiB in total). */
export const MAX_REPORT_BYTES = 900_000;

/** One replica's report. */
export interface SyncReport {
  /** The replica id. */
  replica: string;
  /** When it was written (the writer's clock; informational: expiry uses the reader's clock). */
  reportedAt: string;
  /** The heartbeat interval: the report is rewritten at least this often; it expires after 3×. */
  intervalMs: number;
  /** Per policy generation, sorted. */
  policies: PolicySync[];
}

/** The ConfigMap name of a replica's report (the id made a valid DNS subdomain, at most 253 characters). */
export function reportName(replicaId: string): string {
  const safe = replicaId
    .toLowerCase()
    .replace(/[^a-z0-9.-]+/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '');
  return `${REPORT_PREFIX}${safe === '' ? 'replica' : safe}`.slice(0, 253);
}

function shorten(report: SyncReport, samples: number, messageChars: number): SyncReport {
  return {
    ...report,
    policies: report.policies.map((p) => ({
      ...p,
      rejections: p.rejections
        .slice(0, samples)
        .map((r) => ({ ...r, message: r.message.slice(0, messageChars) })),
      unsupportedSamples: p.unsupportedSamples.slice(0, samples),
    })),
  };
}

/** `report.json` for a report, within {@link MAX_REPORT_BYTES} when at all possible (see the module comment). */
export function encodeReport(report: SyncReport, maxBytes = MAX_REPORT_BYTES): string {
  for (const [samples, chars] of [
    [Infinity, Infinity],
    [1, 256],
    [0, 0],
  ] as const) {
    const text = JSON.stringify(samples === Infinity ? report : shorten(report, samples, chars));
    if (Buffer.byteLength(text) <= maxBytes || samples === 0) return text;
  }
  return JSON.stringify(report);
}

function isEntry(value: unknown): value is PolicySync {
  const e = value as Partial<PolicySync> | null;
  return (
    e !== null &&
    typeof e === 'object' &&
    typeof e.policy === 'string' &&
    typeof e.generation === 'number' &&
    typeof e.connected === 'number' &&
    typeof e.acked === 'number' &&
    typeof e.rejected === 'number' &&
    Array.isArray(e.rejections) &&
    typeof e.unsupported === 'number' &&
    Array.isArray(e.unsupportedSamples)
  );
}

/** Reads `report.json`; undefined when it is not a report (a foreign or corrupt ConfigMap is ignored). */
export function decodeReport(text: string | undefined): SyncReport | undefined {
  if (text === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  const r = parsed as Partial<SyncReport> | null;
  if (r === null || typeof r !== 'object') return undefined;
  if (typeof r.replica !== 'string' || typeof r.intervalMs !== 'number' || !Array.isArray(r.policies)) {
    return undefined;
  }
  if (!r.policies.every(isEntry)) return undefined;
  return {
    replica: r.replica,
    reportedAt: String(r.reportedAt ?? ''),
    intervalMs: r.intervalMs,
    policies: r.policies,
  };
}

/** A report as the reader last saw it. */
export interface ObservedReport {
  /** ConfigMap name. */
  name: string;
  /** The decoded report. */
  report: SyncReport;
  /** When the reader saw this content appear (the reader's clock), epoch ms. */
  seenAtMs: number;
}

/** Splits observed reports into live ones and expired ones (not rewritten for 3× their interval). Pure. */
export function partitionReports(
  observed: readonly ObservedReport[],
  nowMs: number,
): { live: SyncReport[]; expired: string[] } {
  const live: SyncReport[] = [];
  const expired: string[] = [];
  for (const o of [...observed].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (nowMs - o.seenAtMs > 3 * o.report.intervalMs) expired.push(o.name);
    else live.push(o.report);
  }
  return { live, expired };
}
