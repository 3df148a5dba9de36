/**
 * Root hooks of the e2e suite: start the cluster once before every file (building etcd, kube-apiserver and
 * kube-controller-manager on the first run, ~10–30 min on 2 cores, then cached) and stop it after. Logs are kept when
 * a test failed, and their directory is printed.
 */
import { e2eCluster } from './harness/cluster.js';
import { cluster, setCluster } from './harness/shared.js';

let failed = false;

before(async function () {
  this.timeout(60 * 60 * 1000);
  setCluster(await e2eCluster());
});

afterEach(function () {
  if (this.currentTest?.state === 'failed') failed = true;
});

after(async function () {
  this.timeout(60_000);
  const c = cluster();
  await c.stop(failed);
  if (failed) process.stdout.write(`e2e: logs of the failed run kept in ${c.dir}\n`);
  setCluster(undefined);
});
