/**
 * Policies whose segmentation differs on a workload port they both cover. The sidecar enforces the intersection of
 * their `allowFrom` (translate/segmentation.ts), but Kubernetes admits the union of NetworkPolicies: a peer only one of
 * them allows passes the network layer and is stopped by the sidecar alone. Reported as a Warnings condition on each
 * policy involved and by `aspen audit` (ASP016).
 */
import type { ApiSecurityPolicy } from '../api/v1alpha1/types.js';
import type { Workload } from '../provider/snapshot.js';
import { coverage } from './coverage.js';
import { compareStrings } from './sort.js';

/** One workload where a policy's segmentation meets another policy's different segmentation. */
export interface SegmentationOverlap {
  /** `<namespace>/<workload>`. */
  workload: string;
  /** The other Enforce-mode policies with a different `allowFrom` covering a shared port, `<namespace>/<name>`, sorted. */
  others: string[];
}

function keyOf(p: ApiSecurityPolicy): string {
  return `${p.metadata.namespace}/${p.metadata.name}`;
}

/** Sorted JSON of an allowFrom list, so equal lists in another order compare equal. */
function allowFromKey(p: ApiSecurityPolicy): string {
  return JSON.stringify((p.spec.segmentation?.allowFrom ?? []).map((e) => JSON.stringify(e)).sort());
}

/**
 * Per policy key, the workloads where another segmenting Enforce-mode policy with a different `allowFrom` covers a
 * port it covers too (sorted by workload). Policies without overlaps are absent.
 */
export function segmentationOverlaps(
  policies: readonly ApiSecurityPolicy[],
  workloads: readonly Workload[],
): Map<string, SegmentationOverlap[]> {
  const segmenting = policies.filter(
    (p) => p.spec.segmentation !== undefined && (p.spec.mode ?? 'Enforce') === 'Enforce',
  );
  const covered = segmenting.map((p) => ({
    key: keyOf(p),
    allow: allowFromKey(p),
    ports: coverage(workloads, p.metadata.namespace, p.spec.selector, p.spec.ports),
  }));
  const out = new Map<string, SegmentationOverlap[]>();
  for (const a of covered) {
    for (const [workload, ports] of a.ports) {
      const others = covered
        .filter((b) => b.key !== a.key && b.allow !== a.allow)
        .filter((b) => (b.ports.get(workload) ?? []).some((port) => ports.includes(port)))
        .map((b) => b.key)
        .sort(compareStrings);
      if (others.length === 0) continue;
      const list = out.get(a.key) ?? [];
      list.push({ workload, others });
      out.set(a.key, list);
    }
  }
  for (const list of out.values()) list.sort((x, y) => compareStrings(x.workload, y.workload));
  return out;
}

/** The warning text for one policy's overlaps. */
export function overlapMessage(overlaps: readonly SegmentationOverlap[]): string {
  const [first] = overlaps;
  if (first === undefined) return '';
  const more = overlaps.length > 1 ? ` (and ${overlaps.length - 1} more workloads)` : '';
  return (
    `spec.segmentation: workload ${first.workload} is also segmented by ${first.others.join(', ')} with different ` +
    `peers${more}: the NetworkPolicies admit the union of the peer lists, while the sidecar admits only peers every ` +
    'policy allows (the intersection)'
  );
}
