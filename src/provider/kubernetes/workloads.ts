/**
 * Workloads from running pods. A pod belongs to the workload its Envoy `node.cluster` names (`<namespace>/<workload>`,
 * the same rule as the sidecar injector): the Deployment of a ReplicaSet-owned pod (the ReplicaSet name without its
 * `-<pod-template-hash>`), else the owning controller, else the pod itself. One workload's pods normally share their
 * template; during a rollout the newest pod (by creationTimestamp, then name) speaks for the workload. Completed pods
 * (Succeeded/Failed) run no proxy and are left out.
 */
import type { WorkloadKind } from '../snapshot.js';
import { asRecord, asString, compareStrings } from '../file/fields.js';
import type { RawObject } from './transport.js';

/** A workload's name and kind, from its pod. */
export interface PodWorkload {
  /** Workload name (`node.cluster` is `<namespace>/<name>`). */
  readonly name: string;
  /** The kind of object the pods come from. */
  readonly kind: WorkloadKind;
}

const CONTROLLER_KINDS: ReadonlySet<string> = new Set(['StatefulSet', 'DaemonSet', 'ReplicaSet']);

interface OwnerRef {
  kind?: string;
  name?: string;
  controller?: boolean;
}

function metadata(pod: RawObject): Record<string, unknown> {
  return asRecord(pod['metadata']) ?? {};
}

/** The controlling owner of a pod, if any. */
function controllerOf(meta: Record<string, unknown>): OwnerRef | undefined {
  const owners = Array.isArray(meta['ownerReferences']) ? (meta['ownerReferences'] as OwnerRef[]) : [];
  return owners.find((o) => o.controller === true && typeof o.name === 'string' && o.name !== '');
}

/** The workload named by a controlling owner. */
function ownerWorkload(owner: OwnerRef, meta: Record<string, unknown>): PodWorkload {
  const name = owner.name ?? '';
  const hash = asString(asRecord(meta['labels'])?.['pod-template-hash']);
  if (owner.kind === 'ReplicaSet' && hash !== undefined && name.endsWith(`-${hash}`))
    return { name: name.slice(0, -(hash.length + 1)), kind: 'Deployment' };
  const kind = CONTROLLER_KINDS.has(owner.kind ?? '') ? (owner.kind as WorkloadKind) : 'Pod';
  return { name, kind };
}

/** The workload of a pod; see the module comment. */
export function podWorkload(pod: RawObject): PodWorkload {
  const meta = metadata(pod);
  const owner = controllerOf(meta);
  if (owner !== undefined) return ownerWorkload(owner, meta);
  const name = asString(meta['name']) ?? '';
  if (name !== '') return { name, kind: 'Pod' };
  return { name: (asString(meta['generateName']) ?? '').replace(/-+$/, '') || 'pod', kind: 'Pod' };
}

/** Whether the pod can run a proxy (not Succeeded or Failed). */
export function isLive(pod: RawObject): boolean {
  const phase = asString(asRecord(pod['status'])?.['phase']);
  return phase !== 'Succeeded' && phase !== 'Failed';
}

/** The pods of one workload. */
export interface PodGroup {
  /** Namespace. */
  readonly namespace: string;
  /** The workload. */
  readonly workload: PodWorkload;
  /** The pod that speaks for the workload (newest). */
  readonly representative: RawObject;
  /** Names of all its live pods, sorted. */
  readonly pods: string[];
}

function newer(a: RawObject, b: RawObject): boolean {
  const at = asString(metadata(a)['creationTimestamp']) ?? '';
  const bt = asString(metadata(b)['creationTimestamp']) ?? '';
  if (at !== bt) return at > bt;
  return compareStrings(asString(metadata(a)['name']) ?? '', asString(metadata(b)['name']) ?? '') > 0;
}

/** Groups live pods by workload (`<namespace>/<workload>` keys, sorted). */
export function groupPods(pods: Iterable<RawObject>): PodGroup[] {
  const groups = new Map<
    string,
    { namespace: string; workload: PodWorkload; representative: RawObject; pods: string[] }
  >();
  for (const pod of pods) {
    if (!isLive(pod)) continue;
    const namespace = asString(metadata(pod)['namespace']) ?? 'default';
    const workload = podWorkload(pod);
    const key = `${namespace}/${workload.name}`;
    const name = asString(metadata(pod)['name']) ?? '';
    const group = groups.get(key);
    if (group === undefined) groups.set(key, { namespace, workload, representative: pod, pods: [name] });
    else {
      group.pods.push(name);
      if (newer(pod, group.representative)) group.representative = pod;
    }
  }
  return [...groups.keys()]
    .sort(compareStrings)
    .map((key) => groups.get(key))
    .filter((g) => g !== undefined)
    .map((g) => ({ ...g, pods: [...g.pods].sort(compareStrings) }));
}
