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

/**
 * Why the suites that install aspen's cluster-scoped objects must not run here, or undefined when they may: on a
 * cluster from ASPEN_E2E_KUBECONFIG that already runs aspen, they would overwrite and then delete that install.
 */
export async function installBlocked(): Promise<string | undefined> {
  const c = cluster();
  if (!c.external) return undefined;
  const found = await c.kubectl([
    'get',
    'clusterrole/aspen',
    'mutatingwebhookconfiguration/aspen-injector',
    '-o',
    'name',
  ]);
  return found.stdout.trim() === ''
    ? undefined
    : 'aspen is already installed on the ASPEN_E2E_KUBECONFIG cluster; the install suites would replace and delete it';
}
