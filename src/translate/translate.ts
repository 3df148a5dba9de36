/**
 * The translator: ResourceSnapshot → the IR of every workload's proxy, plus every policy's status. Pure: no I/O, no
 * clock; user errors become status conditions with a field path, never exceptions. A policy that cannot be translated
 * fails closed on the ports it covers (Enforce mode) and never blocks (Audit mode).
 */
import type { ApiSecurityPolicy } from '../api/v1alpha1/types.js';
import type { ProxyIR } from '../ir/index.js';
import type { ResourceSnapshot, Workload } from '../provider/snapshot.js';
import type { UnsupportedFinding } from '../proxyless/limits.js';
import type { Conflict } from './conflict.js';
import type { BuiltWorkload, TranslateMemo } from './memo.js';
import type { PolicyEntry, PolicyValidator } from './policy-entry.js';
import type { SegmentationOverlap } from './segmentation-union.js';
import type { PolicyStatus } from './status.js';
import { applyProxylessLimits, withUnsupportedStatus } from '../proxyless/limits.js';
import { coverage, objectKey } from './coverage.js';
import { preparePolicy } from './policy-entry.js';
import { policyStatus } from './policy-status.js';
import { scopeOutbound } from './egress.js';
import { outboundServices } from './outbound.js';
import { buildProxy } from './proxy.js';
import { isSegmenting, overlapsOf, segmentingPolicy } from './segmentation-union.js';
import { SnapshotIndex } from './snapshot-index.js';
import { compareStrings } from './sort.js';
import { validatePolicy } from './validate/index.js';

export type { PolicyValidator } from './policy-entry.js';
export { TranslateMemo } from './memo.js';

/** Settings of a translation. */
export interface TranslateConfig {
  /** Trust domain of workload SPIFFE IDs, e.g. `cluster.local`. */
  trustDomain: string;
  /** Cluster DNS domain of Service host names (default `cluster.local`). */
  clusterDomain?: string;
  /** The policy validator; default the one validator (validatePolicy). Tests may pass another. */
  validate?: PolicyValidator;
}

/** What the translator concludes from one snapshot. */
export interface TranslateResult {
  /** One ProxyIR per workload (selected or not), sorted by key. */
  proxies: ProxyIR[];
  /** One status per policy, sorted by namespace then name. */
  statuses: PolicyStatus[];
  /** The valid policies, defaulted, sorted by namespace then name. */
  policies: ApiSecurityPolicy[];
}

/** The objects sorted by `<namespace>/<name>` (stable; snapshot lists usually are sorted already). */
function sortedByKey<T extends { namespace: string; name: string }>(list: readonly T[]): T[] {
  const keyed = list.map((o) => ({ o, key: objectKey(o) }));
  const sorted = keyed.every((k, i) => i === 0 || compareStrings(keyed[i - 1]?.key ?? '', k.key) <= 0);
  if (!sorted) keyed.sort((a, b) => compareStrings(a.key, b.key));
  return keyed.map((k) => k.o);
}

/** A workload's proxy, and what a proxyless workload cannot enforce (see applyProxylessLimits). */
function buildWorkload(
  workload: Workload,
  covering: readonly PolicyEntry[],
  trustDomain: string,
): BuiltWorkload {
  const { proxy, conflicts } = buildProxy(workload, covering, trustDomain);
  return { proxy, conflicts, findings: applyProxylessLimits([proxy], covering) };
}

/** Per workload key, the prepared policies whose coverage includes it, in `entries` order. */
function coveringByWorkload(entries: readonly PolicyEntry[]): Map<string, PolicyEntry[]> {
  const out = new Map<string, PolicyEntry[]>();
  for (const entry of entries) {
    for (const workload of entry.coverage.keys()) {
      const list = out.get(workload);
      if (list === undefined) out.set(workload, [entry]);
      else list.push(entry);
    }
  }
  return out;
}

/** Per policy key, the conflicts it takes part in, in the order they were met. */
function conflictsByPolicy(built: readonly BuiltWorkload[]): Map<string, Conflict[]> {
  const out = new Map<string, Conflict[]>();
  for (const conflict of built.flatMap((b) => b.conflicts)) {
    for (const policy of new Set(conflict.entries.map((e) => e.policy))) {
      const list = out.get(policy);
      if (list === undefined) out.set(policy, [conflict]);
      else list.push(conflict);
    }
  }
  return out;
}

/** Segmentation overlaps (segmentation-union.ts) from the prepared policies' coverage. */
function overlapsOfEntries(
  entries: readonly PolicyEntry[],
  index: SnapshotIndex,
): Map<string, SegmentationOverlap[]> {
  const covered = entries.flatMap((e) => {
    const p = e.policy;
    if (p === undefined || !isSegmenting(p)) return [];
    const namespace = p.metadata.namespace;
    // The entry's coverage is over the raw policy's namespace; the overlaps use the metadata's (the same when read).
    const ports =
      namespace === e.raw.namespace
        ? e.coverage
        : coverage(index.workloadsIn(namespace), namespace, p.spec.selector, p.spec.ports);
    return [segmentingPolicy(p, ports)];
  });
  return overlapsOf(covered);
}

function byPolicyThenWorkload(a: UnsupportedFinding, b: UnsupportedFinding): number {
  return compareStrings(a.policy, b.policy) || compareStrings(a.workload, b.workload);
}

/**
 * Translates a snapshot: per workload the IR its proxy must enforce, per policy its status. With a `memo` (kept by
 * the caller across translations, see memo.ts) only what changed since the previous translation is computed again;
 * the result is the same as without.
 */
export function translate(
  snapshot: ResourceSnapshot,
  config: TranslateConfig,
  memo?: TranslateMemo,
): TranslateResult {
  const validate = config.validate ?? validatePolicy;
  const clusterDomain = config.clusterDomain ?? 'cluster.local';
  const trustDomain = config.trustDomain;
  const index = new SnapshotIndex(snapshot, memo?.json);
  memo?.begin({ trustDomain, clusterDomain, validate }, index);
  try {
    const ctx = { snapshot, trustDomain, validate, reader: index };
    const entries = sortedByKey(snapshot.policies).map(
      (raw) => memo?.entry(raw, ctx) ?? preparePolicy(raw, ctx),
    );
    const covering = coveringByWorkload(entries);
    const built = sortedByKey(snapshot.workloads).map((w) => {
      const mine = covering.get(objectKey(w)) ?? [];
      return memo?.proxy(w, mine, trustDomain, buildWorkload) ?? buildWorkload(w, mine, trustDomain);
    });
    const proxies = built.map((b) => b.proxy);
    const outbound = outboundServices(
      {
        services: snapshot.services,
        workloads: snapshot.workloads,
        proxies: proxiesByKey(proxies),
        clusterDomain,
      },
      memo?.outbound,
    );
    scopeOutbound(proxies, snapshot.workloads, outbound);
    const policies = entries.flatMap((e) => (e.policy === undefined ? [] : [e.policy]));
    const overlaps = overlapsOfEntries(entries, index);
    const conflicts = conflictsByPolicy(built);
    const unsupported = built.flatMap((b) => b.findings).sort(byPolicyThenWorkload);
    const statuses = entries.map((e) => {
      const mine = conflicts.get(e.key) ?? [];
      return (
        memo?.status(e, mine, overlaps.get(e.key), policyStatus) ?? policyStatus(e, mine, overlaps.get(e.key))
      );
    });
    const withLimits = unsupported.length === 0 ? statuses : withUnsupportedStatus(statuses, unsupported);
    return { proxies, statuses: withLimits, policies };
  } finally {
    memo?.end();
  }
}

/** The proxies of a result by key (`<namespace>/<workload>`), as the xDS stage looks them up. */
export function proxiesByKey(proxies: readonly ProxyIR[]): Map<string, ProxyIR> {
  return new Map(proxies.map((p) => [p.key, p]));
}
