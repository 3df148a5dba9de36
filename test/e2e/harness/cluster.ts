/**
 * The Kubernetes API server the e2e suite runs against. By default a local one, envtest style: etcd,
 * kube-apiserver and kube-controller-manager (garbage collection, ServiceAccounts, Deployments) on loopback, built
 * once by scripts/k8s/build-k8s.sh into ~/.cache/aspen-e2e/<component>-<version>/, with generated certificates and
 * a random admin token. There is no kubelet: pods are stored, never run. With ASPEN_E2E_KUBECONFIG set, the suite
 * uses that cluster instead (it creates and deletes its own namespaces and cluster-scoped aspen objects there).
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { k8sCli, repoRoot, run, type RunResult } from '../../../scripts/k8s/chart.js';
import { makeClusterCerts } from './certs.js';
import { startProcess, type Proc } from './process.js';

const execFileAsync = promisify(execFile);

/** A cluster the tests talk to through kubectl (and aspen through the kubeconfig). */
export interface Cluster {
  /** Path of a kubeconfig with admin rights. */
  kubeconfig: string;
  /** Scratch directory for logs and files of this run. */
  dir: string;
  /** True when the cluster came from ASPEN_E2E_KUBECONFIG. */
  external: boolean;
  /** Runs kubectl against the cluster. */
  kubectl(args: string[]): Promise<RunResult>;
  /** Runs kubectl, rejecting with its stderr when it fails. */
  kubectlOk(args: string[]): Promise<string>;
  /** Writes manifests to a file and runs `kubectl <verb> -f file <args>` (e.g. apply --server-side). */
  withManifest(yaml: string, args: string[]): Promise<RunResult>;
  /** Stops every process started for the cluster and removes its files (logs are kept on failure). */
  stop(keepLogs?: boolean): Promise<void>;
}

/** Directories of the built binaries (printed by build-k8s.sh). */
interface Binaries {
  kubernetes: string;
  etcd: string;
}

/** Builds (or finds in the cache) etcd, kube-apiserver and kube-controller-manager. */
export async function buildBinaries(): Promise<Binaries> {
  const script = path.join(repoRoot(), 'scripts', 'k8s', 'build-k8s.sh');
  const { stdout } = await execFileAsync('bash', [script], { maxBuffer: 16 * 1024 * 1024 });
  const value = (key: string): string => {
    const line = stdout.split('\n').find((l) => l.startsWith(`${key}=`));
    if (line === undefined) throw new Error(`build-k8s.sh printed no ${key}=`);
    return line.slice(key.length + 1);
  };
  return { kubernetes: value('KUBERNETES_DIR'), etcd: value('ETCD_DIR') };
}

/** A free TCP port on loopback (closed again before use; the race is acceptable on a test machine). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** GET url with the cluster CA and token; resolves with the status code (0 when it cannot connect). */
function probe(url: string, ca: string, token: string): Promise<number> {
  return new Promise((resolve) => {
    const req = https.get(
      url,
      { ca, headers: { authorization: `Bearer ${token}` }, timeout: 2000 },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('error', () => resolve(0));
    req.on('timeout', () => req.destroy());
  });
}

/** Polls /readyz until it answers 200, or rejects after `attempts` half-second tries naming the log. */
async function waitReady(url: string, ca: string, token: string, proc: Proc): Promise<void> {
  for (let i = 0; i < 240; i++) {
    if ((await probe(url, ca, token)) === 200) return;
    if (proc.child.exitCode !== null) throw new Error(`${proc.name} exited early; see ${proc.log}`);
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${proc.name} did not become ready within 120 s; see ${proc.log}`);
}

/** The kubectl helpers shared by local and external clusters. */
function kubectlHelpers(
  kubeconfig: string,
  dir: string,
): Pick<Cluster, 'kubectl' | 'kubectlOk' | 'withManifest'> {
  let n = 0;
  const kubectl = async (args: string[]): Promise<RunResult> => {
    const { kubectl: bin } = await k8sCli();
    return run(bin, args, { KUBECONFIG: kubeconfig });
  };
  return {
    kubectl,
    async kubectlOk(args: string[]): Promise<string> {
      const r = await kubectl(args);
      if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed: ${r.stderr.trim()}`);
      return r.stdout;
    },
    async withManifest(yaml: string, args: string[]): Promise<RunResult> {
      const file = path.join(dir, `manifest-${n++}.yaml`);
      await writeFile(file, yaml);
      const [verb = 'apply', ...rest] = args;
      return kubectl([verb, '-f', file, ...rest]);
    },
  };
}

/** Writes a kubeconfig for the local API server. */
async function writeKubeconfig(file: string, server: string, ca: string, token: string): Promise<void> {
  const caData = Buffer.from(await readFile(ca)).toString('base64');
  await writeFile(
    file,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters: [{name: e2e, cluster: {server: "' +
        server +
        '", certificate-authority-data: ' +
        caData +
        '}}]',
      'users: [{name: admin, user: {token: ' + token + '}}]',
      'contexts: [{name: e2e, context: {cluster: e2e, user: admin}}]',
      'current-context: e2e',
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
}

/** Starts etcd, kube-apiserver and kube-controller-manager on loopback. */
export async function startLocalCluster(): Promise<Cluster> {
  const bins = await buildBinaries();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'aspen-e2e-'));
  const certs = await makeClusterCerts(dir);
  const token = randomBytes(24).toString('hex');
  await writeFile(path.join(dir, 'tokens.csv'), `${token},e2e-admin,e2e-admin,"system:masters"\n`, {
    mode: 0o600,
  });
  const [etcdClient, etcdPeer, apiPort] = [await freePort(), await freePort(), await freePort()];
  const procs: Proc[] = [];
  const log = (name: string): string => path.join(dir, `${name}.log`);
  await mkdir(path.join(dir, 'etcd'), { recursive: true });
  procs.push(
    startProcess({
      name: 'etcd',
      command: path.join(bins.etcd, 'etcd'),
      args: [
        `--data-dir=${path.join(dir, 'etcd')}`,
        `--listen-client-urls=http://127.0.0.1:${etcdClient}`,
        `--advertise-client-urls=http://127.0.0.1:${etcdClient}`,
        `--listen-peer-urls=http://127.0.0.1:${etcdPeer}`,
        `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeer}`,
        `--initial-cluster=default=http://127.0.0.1:${etcdPeer}`,
        '--unsafe-no-fsync',
        '--log-level=warn',
      ],
      log: log('etcd'),
    }),
  );
  const apiserver = startProcess({
    name: 'kube-apiserver',
    command: path.join(bins.kubernetes, 'kube-apiserver'),
    args: [
      `--etcd-servers=http://127.0.0.1:${etcdClient}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      `--secure-port=${apiPort}`,
      `--tls-cert-file=${certs.serverCert}`,
      `--tls-private-key-file=${certs.serverKey}`,
      `--client-ca-file=${certs.caCert}`,
      `--token-auth-file=${path.join(dir, 'tokens.csv')}`,
      '--authorization-mode=RBAC',
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      `--service-account-key-file=${certs.saPub}`,
      `--service-account-signing-key-file=${certs.saKey}`,
      '--service-cluster-ip-range=10.96.0.0/16',
      `--cert-dir=${path.join(dir, 'apiserver-certs')}`,
      '--enable-priority-and-fairness=false',
      // Webhook Services resolve to their endpoints (no kube-proxy for ClusterIPs): see harness/route.ts.
      '--enable-aggregator-routing=true',
      // The API server's own endpoints would be loopback, which Endpoints refuse; nothing here needs them.
      '--endpoint-reconciler-type=none',
      '--profiling=false',
      '--v=1',
    ],
    log: log('kube-apiserver'),
  });
  procs.push(apiserver);
  const ca = await readFile(certs.caCert, 'utf8');
  const server = `https://127.0.0.1:${apiPort}`;
  const stop = async (keepLogs = false): Promise<void> => {
    for (const p of [...procs].reverse()) await p.stop();
    if (!keepLogs) await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitReady(`${server}/readyz`, ca, token, apiserver);
  } catch (err) {
    await stop(true);
    throw err;
  }
  const kubeconfig = path.join(dir, 'kubeconfig');
  await writeKubeconfig(kubeconfig, server, certs.caCert, token);
  procs.push(
    startProcess({
      name: 'kube-controller-manager',
      command: path.join(bins.kubernetes, 'kube-controller-manager'),
      args: [
        `--kubeconfig=${kubeconfig}`,
        '--secure-port=0',
        '--leader-elect=false',
        '--controllers=*',
        `--service-account-private-key-file=${certs.saKey}`,
        `--root-ca-file=${certs.caCert}`,
        '--use-service-account-credentials=false',
        '--v=1',
      ],
      log: log('kube-controller-manager'),
    }),
  );
  return { kubeconfig, dir, external: false, ...kubectlHelpers(kubeconfig, dir), stop };
}

/** Uses the cluster of ASPEN_E2E_KUBECONFIG. */
async function useExternalCluster(kubeconfig: string): Promise<Cluster> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'aspen-e2e-'));
  const stop = async (keepLogs = false): Promise<void> => {
    if (!keepLogs) await rm(dir, { recursive: true, force: true });
  };
  return { kubeconfig, dir, external: true, ...kubectlHelpers(kubeconfig, dir), stop };
}

/** The cluster of this run: ASPEN_E2E_KUBECONFIG when set, else a local one. */
export function e2eCluster(): Promise<Cluster> {
  const external = process.env.ASPEN_E2E_KUBECONFIG;
  return external !== undefined && external !== '' ? useExternalCluster(external) : startLocalCluster();
}
