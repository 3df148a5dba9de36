/**
 * The one cluster of an e2e run, started by the root hooks of test/e2e/00-cluster.e2e.ts and shared by every file
 * (starting kube-apiserver takes tens of seconds; each test uses namespaces of its own).
 */
import type { Cluster } from './cluster.js';

let current: Cluster | undefined;

/** Records the cluster of this run. */
export function setCluster(c: Cluster | undefined): void {
  current = c;
}

/** The cluster of this run; throws when the root hook has not started one. */
export function cluster(): Cluster {
  if (current === undefined) throw new Error('no e2e cluster: run the suite with npm run test:e2e');
  return current;
}
