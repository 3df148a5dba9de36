/**
 * The workload a pod belongs to, as the Envoy `node.cluster` `<namespace>/<workload>` names it: the Deployment of a
 * ReplicaSet-owned pod (the ReplicaSet name without its `-<pod-template-hash>`), else the owning controller
 * (StatefulSet, DaemonSet, Job, ReplicaSet), else the pod itself. The Kubernetes provider must key workloads the same way.
 */
import type { Pod } from './types.js';

function ownerWorkload(pod: Pod): string | undefined {
  const metadata = pod.metadata ?? {};
  const owner = (metadata.ownerReferences ?? []).find((o) => o.controller === true);
  if (owner === undefined) return undefined;
  const hash = (metadata.labels ?? {})['pod-template-hash'];
  if (owner.kind === 'ReplicaSet' && hash !== undefined && owner.name.endsWith(`-${hash}`)) {
    return owner.name.slice(0, -(hash.length + 1));
  }
  return owner.name;
}

/** The workload name of a pod. */
export function workloadName(pod: Pod): string {
  const owner = ownerWorkload(pod);
  if (owner !== undefined) return owner;
  const metadata = pod.metadata ?? {};
  if ((metadata.name ?? '') !== '') return metadata.name ?? '';
  return (metadata.generateName ?? '').replace(/-+$/, '') || 'pod';
}
