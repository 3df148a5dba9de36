/**
 * The translator: ResourceSnapshot → the IR of every workload's proxy, plus every policy's status. Pure: no I/O, no
 * clock; user errors become status conditions with a field path, never exceptions. A policy that cannot be translated
 * fails closed on the ports it covers (Enforce mode) and never blocks (Audit mode).
 */
import type { ApiSecurityPolicy } from '../api/v1alpha1/types.js';
import type { ProxyIR } from '../ir/index.js';
import type { ResourceSnapshot } from '../provider/snapshot.js';
import type { PolicyValidator } from './policy-entry.js';
import type { PolicyStatus } from './status.js';
import { applyProxylessLimits, withUnsupportedStatus } from '../proxyless/limits.js';
import { objectKey } from './coverage.js';
import { preparePolicy } from './policy-entry.js';
import { policyStatus } from './policy-status.js';
import { scopeOutbound } from './egress.js';
import { outboundServices } from './outbound.js';
import { buildProxy } from './proxy.js';
import { segmentationOverlaps } from './segmentation-union.js';
import { compareStrings } from './sort.js';
import { validatePolicy } from './validate/index.js';

export type { PolicyValidator } from './policy-entry.js';

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

function byKey(a: { namespace: string; name: string }, b: { namespace: string; name: string }): number {
  return compareStrings(objectKey(a), objectKey(b));
}

/** Translates a snapshot: per workload the IR its proxy must enforce, per policy its status. */
export function translate(snapshot: ResourceSnapshot, config: TranslateConfig): TranslateResult {
  const ctx = { snapshot, trustDomain: config.trustDomain, validate: config.validate ?? validatePolicy };
  const entries = [...snapshot.policies].sort(byKey).map((raw) => preparePolicy(raw, ctx));
  const built = [...snapshot.workloads].sort(byKey).map((w) => buildProxy(w, entries, config.trustDomain));
  const conflicts = built.flatMap((b) => b.conflicts);
  const proxies = built.map((b) => b.proxy);
  const outbound = outboundServices({
    services: snapshot.services,
    workloads: snapshot.workloads,
    proxies: proxiesByKey(proxies),
    clusterDomain: config.clusterDomain ?? 'cluster.local',
  });
  scopeOutbound(proxies, snapshot.workloads, outbound);
  const policies = entries.flatMap((e) => (e.policy === undefined ? [] : [e.policy]));
  const overlaps = segmentationOverlaps(policies, snapshot.workloads);
  const unsupported = applyProxylessLimits(proxies, entries);
  return {
    proxies,
    statuses: withUnsupportedStatus(
      entries.map((e) => policyStatus(e, conflicts, overlaps.get(e.key))),
      unsupported,
    ),
    policies,
  };
}

/** The proxies of a result by key (`<namespace>/<workload>`), as the xDS stage looks them up. */
export function proxiesByKey(proxies: readonly ProxyIR[]): Map<string, ProxyIR> {
  return new Map(proxies.map((p) => [p.key, p]));
}
