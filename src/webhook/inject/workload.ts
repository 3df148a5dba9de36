/**
 * The workload a pod belongs to, as the Envoy `node.cluster` `<namespace>/<workload>` names it. One rule for the
 * injector and the Kubernetes provider (which keys workloads by it): {@link podWorkload}.
 */
import { podWorkload } from '../../provider/kubernetes/workloads.js';
import type { Pod } from './types.js';

/** The workload name of a pod (the provider's rule, so the injected `node.cluster` names the workload it keys). */
export function workloadName(pod: Pod): string {
  return podWorkload({ ...pod }).name;
}
