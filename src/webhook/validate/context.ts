/**
 * The part of the cluster that can change what the translator concludes about one policy (ADR 0032), so the
 * validating webhook translates a handful of objects per request instead of the whole snapshot.
 *
 * Everything the audit rules report about a policy P comes from P itself, from the policies that cover a port of a
 * workload P selects (conflicts, segmentation overlaps, fail-closed ports) and from the Secrets and ConfigMaps of
 * P's namespace (references). A policy only ever selects workloads of its own namespace. So the translator's
 * verdict on P over the whole snapshot equals its verdict over: P, the workloads P selects, the other policies of
 * P's namespace whose selector matches one of those workloads (read leniently, as the translator reads an invalid
 * policy's selector; a selector that cannot be read keeps the policy in, to stay on the safe side), the Secrets and
 * ConfigMaps of P's namespace and every Namespace (segmentation peers are chosen by namespace labels). Services and
 * EndpointSlices only feed the outbound side, which no rule about a policy reads.
 *
 * The grouping by namespace is computed once per snapshot (the controller hands out the same snapshot object until
 * its next rebuild), so a request costs O(objects of its namespace), not O(cluster).
 */
import type { LabelSelector } from '../../api/v1alpha1/types.js';
import type { DataObject, RawPolicy, ResourceSnapshot, Workload } from '../../provider/snapshot.js';
import { readSelector, selectorMatches } from '../../translate/select.js';

/** One policy of a namespace with its selector as read from the raw object (undefined: unreadable). */
interface IndexedPolicy {
  readonly raw: RawPolicy;
  readonly selector: LabelSelector | undefined;
}

/** The objects of one namespace that a policy there can interact with. */
interface NamespaceObjects {
  readonly policies: IndexedPolicy[];
  readonly workloads: Workload[];
  readonly secrets: DataObject[];
  readonly configMaps: DataObject[];
}

function emptyObjects(): NamespaceObjects {
  return { policies: [], workloads: [], secrets: [], configMaps: [] };
}

function specSelector(raw: RawPolicy): LabelSelector | undefined {
  const spec = raw.object.spec;
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) return undefined;
  return readSelector((spec as Record<string, unknown>).selector);
}

/** A snapshot's objects grouped by namespace, each list in snapshot order. */
export class NamespaceIndex {
  private readonly namespaces = new Map<string, NamespaceObjects>();

  /** Groups `snapshot` (one pass over each list). */
  constructor(readonly snapshot: ResourceSnapshot) {
    for (const raw of snapshot.policies)
      this.of(raw.namespace).policies.push({ raw, selector: specSelector(raw) });
    for (const w of snapshot.workloads) this.of(w.namespace).workloads.push(w);
    for (const s of snapshot.secrets) this.of(s.namespace).secrets.push(s);
    for (const c of snapshot.configMaps) this.of(c.namespace).configMaps.push(c);
  }

  private of(namespace: string): NamespaceObjects {
    let found = this.namespaces.get(namespace);
    if (found === undefined) {
      found = emptyObjects();
      this.namespaces.set(namespace, found);
    }
    return found;
  }

  /**
   * The snapshot the translator needs to judge `policy` (valid, with its defaulted `selector`) exactly as it would
   * over the whole snapshot, with `policy` in place of any policy of the same namespace and name.
   */
  neighbourhood(policy: RawPolicy, selector: LabelSelector): ResourceSnapshot {
    const objects = this.namespaces.get(policy.namespace) ?? emptyObjects();
    const workloads = objects.workloads.filter((w) => selectorMatches(selector, w.labels));
    const touches = (other: IndexedPolicy): boolean =>
      other.selector === undefined ||
      workloads.some((w) => selectorMatches(other.selector as LabelSelector, w.labels));
    const others = objects.policies.filter((p) => p.raw.name !== policy.name && touches(p)).map((p) => p.raw);
    return {
      policies: [...others, policy],
      workloads,
      services: [],
      namespaces: this.snapshot.namespaces,
      secrets: objects.secrets,
      configMaps: objects.configMaps,
      endpointSlices: [],
    };
  }
}

/** The index of the latest snapshot, rebuilt when a different snapshot object comes. */
export class LatestIndex {
  private latest: NamespaceIndex | undefined;

  /** The index of `snapshot`. */
  of(snapshot: ResourceSnapshot): NamespaceIndex {
    if (this.latest?.snapshot !== snapshot) this.latest = new NamespaceIndex(snapshot);
    return this.latest;
  }
}
