/**
 * The loopback-only admin endpoint of `aspen serve`, read by `aspen status --serve <addr>`: `GET /status` answers one
 * entry per policy (mode, conditions, workloads, proxies connected/acked/rejected, last NACK, programmed). It serves
 * plain HTTP without authentication, so it refuses to listen anywhere but on a loopback address.
 */
import type { RequestListener } from 'node:http';
import type { ProxyIR } from '../ir/index.js';
import type { RawPolicy } from '../provider/snapshot.js';
import type { ConditionIR, PolicyStatus } from '../translate/status.js';
import type { Rejection, StreamStatus } from '../xds/server/types.js';
import { isLoopback } from './address.js';
import type { ListenAddress } from './address.js';

/** One policy's line of `aspen status`, the same from the cluster and from `aspen serve`. */
export interface PolicyStatusLine {
  /** Policy namespace. */
  namespace: string;
  /** Policy name. */
  name: string;
  /** Enforce or Audit. */
  mode: string;
  /** Conditions (type, status, reason, message), sorted by type. */
  conditions: ConditionIR[];
  /** Workloads the policy selects. */
  workloads: number;
  /** Proxies of those workloads: connected, acknowledged the current configuration, rejected it. */
  proxies: { connected: number; acked: number; rejected: number };
  /** The last rejection message of a proxy of those workloads, if any. */
  lastNack?: string;
  /** Accepted, references resolved, and no selected proxy rejects or lags behind. */
  programmed: boolean;
}

/** The admin report: every policy, sorted by namespace then name. */
export interface StatusReport {
  /** One line per policy. */
  policies: PolicyStatusLine[];
}

/** What the report is computed from. */
export interface StatusInputs {
  /** The last load's policies (for their mode). */
  policies: readonly RawPolicy[];
  /** The translator's statuses. */
  statuses: readonly PolicyStatus[];
  /** The proxies' IR (which policies each carries). */
  proxies: readonly ProxyIR[];
  /** Connected ADS streams. */
  streams: readonly StreamStatus[];
  /** Standing rejections. */
  rejections: readonly Rejection[];
}

function modeOf(policy: RawPolicy | undefined): string {
  const spec = policy?.object['spec'];
  const mode =
    typeof spec === 'object' && spec !== null ? (spec as Record<string, unknown>)['mode'] : undefined;
  return typeof mode === 'string' ? mode : 'Enforce';
}

function isTrue(conditions: readonly ConditionIR[], type: string): boolean {
  return conditions.some((c) => c.type === type && c.status === 'True');
}

function streamState(stream: StreamStatus): 'acked' | 'rejected' | 'pending' {
  if (stream.types.some((t) => t.rejectedVersion !== undefined)) return 'rejected';
  const acked = stream.types.every((t) => t.sentVersion === undefined || t.ackedVersion === t.sentVersion);
  return acked ? 'acked' : 'pending';
}

function latest(rejections: readonly Rejection[]): Rejection | undefined {
  return [...rejections].sort((a, b) => b.at.getTime() - a.at.getTime())[0];
}

/**
 * Whether every selected workload's proxies run the policy, as the controller decides Programmed: nothing selected is
 * vacuously true; otherwise at least one proxy connected, all of them ACKed, none rejected, and no Programmed=False
 * from the translator (e.g. UnsupportedByDataPlane).
 */
function enforcedEverywhere(status: PolicyStatus, proxies: PolicyStatusLine['proxies']): boolean {
  if (status.conditions.some((c) => c.type === 'Programmed' && c.status === 'False')) return false;
  if (status.workloads === 0) return true;
  return proxies.connected > 0 && proxies.rejected === 0 && proxies.acked === proxies.connected;
}

/** The report of one policy. */
function line(status: PolicyStatus, inputs: StatusInputs): PolicyStatusLine {
  const key = `${status.namespace}/${status.name}`;
  const keys = new Set(inputs.proxies.filter((p) => p.policies.includes(key)).map((p) => p.key));
  const streams = inputs.streams.filter((s) => keys.has(s.stream.proxyKey));
  const states = streams.map(streamState);
  const proxies = {
    connected: streams.length,
    acked: states.filter((s) => s === 'acked').length,
    rejected: states.filter((s) => s === 'rejected').length,
  };
  const nack = latest(inputs.rejections.filter((r) => keys.has(r.proxyKey)));
  const policy = inputs.policies.find((p) => p.namespace === status.namespace && p.name === status.name);
  const ok = isTrue(status.conditions, 'Accepted') && isTrue(status.conditions, 'ResolvedRefs');
  return {
    namespace: status.namespace,
    name: status.name,
    mode: modeOf(policy),
    conditions: status.conditions,
    workloads: status.workloads,
    proxies,
    ...(nack === undefined ? {} : { lastNack: nack.message }),
    programmed: ok && enforcedEverywhere(status, proxies),
  };
}

/** The report of every policy. Pure. */
export function statusReport(inputs: StatusInputs): StatusReport {
  return { policies: inputs.statuses.map((s) => line(s, inputs)) };
}

/** `GET /status` (JSON); anything else 404. */
export function adminHandler(report: () => StatusReport | undefined): RequestListener {
  return (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' || path !== '/status') {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('not found\n');
      return;
    }
    const current = report();
    res.writeHead(current === undefined ? 503 : 200, {
      'content-type': 'application/json',
      'cache-control': 'no-store',
    });
    res.end(`${JSON.stringify(current ?? { error: 'no successful build yet' })}\n`);
  };
}

/** Why the admin endpoint may not listen on `address`, or undefined when it may (loopback only). */
export function adminAddressProblem(address: ListenAddress): string | undefined {
  if (address.host !== '' && isLoopback(address.host)) return undefined;
  return `the admin endpoint is unauthenticated and listens only on a loopback address (127.0.0.0/8, ::1, localhost), not ${address.host === '' ? 'every address' : address.host}`;
}
