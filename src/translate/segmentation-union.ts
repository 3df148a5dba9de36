/**
 * Policies whose segmentation differs on a workload port they both cover. The sidecar enforces the intersection of
 * their `allowFrom` (translate/segmentation.ts), but Kubernetes admits the union of NetworkPolicies: a peer only one of
 * them allows passes the network layer and is stopped by the sidecar alone. Reported as a Warnings condition on each
 * policy involved and by `aspen audit` (ASP016).
 */
import type { ApiSecurityPolicy } from '../api/v1alpha1/types.js';
import type { Workload } from '../provider/snapshot.js';
import { coverage } from './coverage.js';
import type { Coverage } from './coverage.js';
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

/** One segmenting Enforce-mode policy: its key, its `allowFrom` (canonical) and what it covers. */
export interface SegmentingPolicy {
  /** `<namespace>/<name>` from the policy's metadata. */
  key: string;
  /** The canonical `allowFrom` (see allowFromKey). */
  allow: string;
  /** The workloads and ports it covers. */
  ports: Coverage;
}

/** Whether a policy takes part in overlaps: it segments, in Enforce mode. */
export function isSegmenting(p: ApiSecurityPolicy): boolean {
  return p.spec.segmentation !== undefined && (p.spec.mode ?? 'Enforce') === 'Enforce';
}

/** A segmenting policy with its coverage (computed over `workloads` unless given). */
export function segmentingPolicy(p: ApiSecurityPolicy, ports: Coverage): SegmentingPolicy {
  return { key: keyOf(p), allow: allowFromKey(p), ports };
}

/** The overlaps of policies whose coverage is known (see {@link segmentationOverlaps}). */
export function overlapsOf(covered: readonly SegmentingPolicy[]): Map<string, SegmentationOverlap[]> {
  const byWorkload = new Map<string, SegmentingPolicy[]>();
  for (const c of covered) {
    for (const workload of c.ports.keys()) {
      const list = byWorkload.get(workload);
      if (list === undefined) byWorkload.set(workload, [c]);
      else list.push(c);
    }
  }
  const out = new Map<string, SegmentationOverlap[]>();
  for (const a of covered) {
    for (const [workload, ports] of a.ports) {
      const others = (byWorkload.get(workload) ?? [])
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

/**
 * Per policy key, the workloads where another segmenting Enforce-mode policy with a different `allowFrom` covers a
 * port it covers too (sorted by workload). Policies without overlaps are absent.
 */
export function segmentationOverlaps(
  policies: readonly ApiSecurityPolicy[],
  workloads: readonly Workload[],
): Map<string, SegmentationOverlap[]> {
  const covered = policies
    .filter(isSegmenting)
    .map((p) =>
      segmentingPolicy(p, coverage(workloads, p.metadata.namespace, p.spec.selector, p.spec.ports)),
    );
  return overlapsOf(covered);
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
