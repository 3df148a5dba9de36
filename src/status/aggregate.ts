/**
 * The desired status of every policy: the translator's conditions (Accepted, ResolvedRefs, Warnings) plus what the
 * replicas' sync reports say about the proxies (Programmed, `status.proxies`, unsupported Envoy versions). Pure; the
 * leader runs it over its latest translation and every live report, and hands the result to the status writer.
 *
 * Programmed (ADR 0015), for the policy's current generation `g`, over the proxies of every replica:
 * - not Accepted → False/NotAccepted;
 * - no selected workload → True/NoWorkloads; selected workloads but no connected proxy → False/NoProxies;
 * - any proxy rejected configuration carrying `g` → False/Rejected, naming the proxy and quoting its NACK;
 * - any connected proxy not (yet) on configuration carrying `g` → False/Pending;
 * - otherwise True/Programmed.
 */
import type { ConditionIR, PolicyStatus } from '../translate/status.js';
import { ConditionType } from '../translate/status.js';
import type { PolicySync, RejectionSample, UnsupportedSample } from './replica-summary.js';

/** Reasons of the conditions aspen adds to the translator's. */
export const StatusReason = {
  /** Programmed True: every connected proxy ACKed configuration carrying the current generation. */
  Programmed: 'Programmed',
  /** Programmed True: the policy selects no workload. */
  NoWorkloads: 'NoWorkloads',
  /** Programmed False: some proxies have not ACKed configuration carrying the current generation yet. */
  Pending: 'Pending',
  /** Programmed False: a proxy rejected (NACKed) configuration carrying the policy. */
  Rejected: 'Rejected',
  /** Programmed False: selected workloads, but none of their proxies is connected. */
  NoProxies: 'NoProxies',
  /** Programmed False: the policy is not accepted (see Accepted). */
  NotAccepted: 'NotAccepted',
  /** Warnings True: a selected proxy runs an Envoy version outside the supported range. */
  UnsupportedProxyVersion: 'UnsupportedProxyVersion',
} as const;

/** A condition as written, minus lastTransitionTime (the writer keeps or moves it). */
export interface DesiredCondition extends ConditionIR {
  /** The generation it was computed from. */
  observedGeneration: number;
}

/** `status` of an ApiSecurityPolicy as aspen wants it (lastTransitionTime added by the writer). */
export interface DesiredStatus {
  /** Policy namespace. */
  namespace: string;
  /** Policy name. */
  name: string;
  /** The generation described. */
  observedGeneration: number;
  /** Sorted by type. */
  conditions: DesiredCondition[];
  /** Workloads the policy selects. */
  workloads: number;
  /** Proxy counts over every replica. */
  proxies: { connected: number; acked: number; rejected: number };
}

/** Every replica's entries for one policy, summed. */
interface Totals {
  connected: number;
  acked: number;
  rejected: number;
  rejections: RejectionSample[];
  unsupported: number;
  unsupportedSamples: UnsupportedSample[];
}

function byProxy<T extends { proxy: string }>(a: T, b: T): number {
  return a.proxy < b.proxy ? -1 : a.proxy > b.proxy ? 1 : 0;
}

/** Sums entries of every generation for `connected` and unsupported, of generation `g` for acked and rejected. */
function totals(entries: readonly PolicySync[], generation: number): Totals {
  const out: Totals = {
    connected: 0,
    acked: 0,
    rejected: 0,
    rejections: [],
    unsupported: 0,
    unsupportedSamples: [],
  };
  for (const e of entries) {
    out.connected += e.connected;
    out.unsupported += e.unsupported;
    out.unsupportedSamples.push(...e.unsupportedSamples);
    if (e.generation !== generation) continue;
    out.acked += e.acked;
    out.rejected += e.rejected;
    out.rejections.push(...e.rejections);
  }
  out.rejections.sort(byProxy);
  out.unsupportedSamples.sort(byProxy);
  return out;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** The short name of a type URL (`…listener.v3.Listener` → `Listener`). */
function typeName(typeUrl: string): string {
  return typeUrl.slice(typeUrl.lastIndexOf('.') + 1);
}

function rejectedMessage(t: Totals): string {
  const [first] = t.rejections;
  if (first === undefined) return `${plural(t.rejected, 'proxy', 'proxies')} rejected the configuration`;
  const more = t.rejected > 1 ? ` (and ${plural(t.rejected - 1, 'more proxy', 'more proxies')})` : '';
  return `proxy ${first.proxy} rejected ${typeName(first.typeUrl)} version ${first.version}${more}: ${first.message}`;
}

function programmed(status: PolicyStatus, accepted: boolean, t: Totals): ConditionIR {
  const type = ConditionType.Programmed;
  const g = status.observedGeneration;
  const no = (reason: string, message: string): ConditionIR => ({ type, status: 'False', reason, message });
  if (!accepted)
    return no(StatusReason.NotAccepted, 'The policy is not accepted (see the Accepted condition)');
  if (status.workloads === 0) {
    return {
      type,
      status: 'True',
      reason: StatusReason.NoWorkloads,
      message: 'The policy selects no workloads',
    };
  }
  if (t.connected === 0) {
    const workloads = plural(status.workloads, 'selected workload');
    return no(StatusReason.NoProxies, `No proxy of the ${workloads} is connected to aspen`);
  }
  if (t.rejected > 0) return no(StatusReason.Rejected, rejectedMessage(t));
  if (t.acked < t.connected) {
    const message = `${t.acked} of ${plural(t.connected, 'connected proxy', 'connected proxies')} acknowledged generation ${g}; waiting for ${t.connected - t.acked}`;
    return no(StatusReason.Pending, message);
  }
  const message = `All ${plural(t.connected, 'connected proxy', 'connected proxies')} of ${plural(status.workloads, 'selected workload')} acknowledged generation ${g}`;
  return { type, status: 'True', reason: StatusReason.Programmed, message };
}

function unsupportedMessage(t: Totals): string {
  const shown = t.unsupportedSamples.map((s) => `${s.proxy} (Envoy ${s.version})`).join(', ');
  const more =
    t.unsupported > t.unsupportedSamples.length
      ? ` and ${t.unsupported - t.unsupportedSamples.length} more`
      : '';
  return `${plural(t.unsupported, 'proxy', 'proxies')} run an unsupported Envoy version: ${shown}${more}`;
}

/** The translator's Warnings condition, with the unsupported-version warning folded in (True if either applies). */
function warnings(existing: ConditionIR | undefined, t: Totals): ConditionIR | undefined {
  if (t.unsupported === 0) return existing;
  const message = unsupportedMessage(t);
  if (existing === undefined || existing.status !== 'True') {
    return {
      type: ConditionType.Warnings,
      status: 'True',
      reason: StatusReason.UnsupportedProxyVersion,
      message,
    };
  }
  return { ...existing, message: `${existing.message}; ${message}` };
}

/** The desired status of one policy, given every live replica's entries for it. */
export function desiredStatus(status: PolicyStatus, entries: readonly PolicySync[]): DesiredStatus {
  const g = status.observedGeneration;
  const t = totals(entries, g);
  const accepted = status.conditions.some((c) => c.type === ConditionType.Accepted && c.status === 'True');
  const others = status.conditions.filter(
    (c) => c.type !== ConditionType.Warnings && c.type !== ConditionType.Programmed,
  );
  const warning = warnings(
    status.conditions.find((c) => c.type === ConditionType.Warnings),
    t,
  );
  // The translator's own Programmed=False (e.g. UnsupportedByDataPlane: the data plane cannot enforce the policy, so
  // it fails closed there) outranks whatever the proxies ACKed: an ACK of a deny-all is not the policy enforced.
  const refused = status.conditions.find((c) => c.type === ConditionType.Programmed && c.status === 'False');
  const programmedNow = refused ?? programmed(status, accepted, t);
  const conditions = [...others, programmedNow, ...(warning === undefined ? [] : [warning])]
    .map((c) => ({ ...c, observedGeneration: g }))
    .sort((a, b) => (a.type < b.type ? -1 : a.type > b.type ? 1 : 0));
  return {
    namespace: status.namespace,
    name: status.name,
    observedGeneration: g,
    conditions,
    workloads: status.workloads,
    proxies: { connected: t.connected, acked: t.acked, rejected: t.rejected },
  };
}

/**
 * The desired status of every policy in `statuses` (the leader's latest translation), from the policy entries of
 * every live replica report (see reports.ts; expired reports left out). Sorted like `statuses`.
 */
export function aggregateStatuses(
  statuses: readonly PolicyStatus[],
  reports: readonly { policies: readonly PolicySync[] }[],
): DesiredStatus[] {
  const byPolicy = new Map<string, PolicySync[]>();
  for (const report of reports) {
    for (const entry of report.policies) {
      const list = byPolicy.get(entry.policy) ?? [];
      list.push(entry);
      byPolicy.set(entry.policy, list);
    }
  }
  return statuses.map((s) => desiredStatus(s, byPolicy.get(`${s.namespace}/${s.name}`) ?? []));
}
