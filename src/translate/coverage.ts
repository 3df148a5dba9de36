/** Which workloads and ports a policy covers. */
import type { LabelSelector } from '../api/v1alpha1/types.js';
import type { Workload, WorkloadPort } from '../provider/snapshot.js';
import { selectorMatches } from './select.js';

/** Workload key (`<namespace>/<name>`) → the container ports the policy covers there (sorted, maybe empty). */
export type Coverage = Map<string, number[]>;

/** `<namespace>/<name>` of any namespaced object. */
export function objectKey(obj: { namespace: string; name: string }): string {
  return `${obj.namespace}/${obj.name}`;
}

/** The TCP container ports of a workload, one entry per port number, sorted by port. */
export function tcpPorts(workload: Workload): WorkloadPort[] {
  const byPort = new Map<number, WorkloadPort>();
  for (const p of workload.ports) {
    if (p.protocol.toUpperCase() !== 'TCP' || byPort.has(p.port)) continue;
    byPort.set(p.port, p);
  }
  return [...byPort.values()].sort((a, b) => a.port - b.port);
}

/** The ports of `workload` a policy covers: `ports` ∩ its TCP container ports, or all of them when `ports` is absent. */
export function coveredPorts(workload: Workload, ports: readonly number[] | undefined): number[] {
  const tcp = tcpPorts(workload).map((p) => p.port);
  return ports === undefined ? tcp : tcp.filter((p) => ports.includes(p));
}

/**
 * The workloads in `namespace` whose labels match `selector`, each with the ports covered. A workload the selector
 * matches is selected even when none of its ports is covered.
 */
export function coverage(
  workloads: readonly Workload[],
  namespace: string,
  selector: LabelSelector,
  ports: readonly number[] | undefined,
): Coverage {
  const result: Coverage = new Map();
  for (const w of workloads) {
    if (w.namespace !== namespace || !selectorMatches(selector, w.labels)) continue;
    result.set(objectKey(w), coveredPorts(w, ports));
  }
  return result;
}
