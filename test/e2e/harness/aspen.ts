/**
 * Runs `aspen controller` from this repository (node bin/aspen.js) against the e2e cluster, every port on loopback,
 * and registers aspen's webhooks with clientConfig.url `https://localhost:<port>` (there is no Service routing on a
 * cluster without nodes; the self-managed serving certificate gets the extra DNS name `localhost`). Tests that need the controller skip, with the reason, while the command does not exist.
 */
import http from 'node:http';
import path from 'node:path';
import { stringify } from 'yaml';
import { repoRoot, run } from '../../../scripts/k8s/chart.js';
import { freePort, type Cluster } from './cluster.js';
import { startProcess, type Proc } from './process.js';

/** A running controller replica and its loopback ports. */
export interface Aspen {
  replicaId: string;
  proc: Proc;
  ports: { xds: number; webhook: number; metrics: number; health: number };
}

/** Why `aspen controller` cannot run yet, or undefined when it can. */
export async function controllerMissing(): Promise<string | undefined> {
  const r = await run(process.execPath, [path.join(repoRoot(), 'bin', 'aspen.js'), 'controller', '--help']);
  if (r.code === 0 && r.stdout.includes('--webhook-listen')) return undefined;
  const first = (r.stderr || r.stdout).trim().split('\n')[0] ?? '';
  return `the CLI has no \`aspen controller\` with the contract's flags yet (\`aspen controller --help\` exit ${r.code}: ${first})`;
}

/** Options of {@link startAspen}. */
export interface AspenOptions {
  cluster: Cluster;
  replicaId: string;
  /** aspen's own namespace. */
  namespace: string;
  /** Webhook port; a fixed one lets a restarted replica serve the registered URL again. */
  webhookPort?: number;
  /** Leader election timings (short in tests). */
  lease?: { duration: string; renew: string; retry: string };
}

/** Starts one controller replica with every listener on loopback. */
export async function startAspen(opts: AspenOptions): Promise<Aspen> {
  const ports = {
    xds: await freePort(),
    webhook: opts.webhookPort ?? (await freePort()),
    metrics: await freePort(),
    health: await freePort(),
  };
  const lease = opts.lease ?? { duration: '15s', renew: '10s', retry: '2s' };
  const proc = startProcess({
    name: `aspen-${opts.replicaId}`,
    command: process.execPath,
    args: [
      path.join(repoRoot(), 'bin', 'aspen.js'),
      'controller',
      `--kubeconfig=${opts.cluster.kubeconfig}`,
      `--namespace=${opts.namespace}`,
      `--replica-id=${opts.replicaId}`,
      `--xds-listen=127.0.0.1:${ports.xds}`,
      `--webhook-listen=127.0.0.1:${ports.webhook}`,
      '--webhook-cert-source=self',
      // The webhooks are registered at https://localhost:<port> (see loopbackWebhooks).
      '--webhook-extra-dns-names=localhost',
      `--metrics-listen=127.0.0.1:${ports.metrics}`,
      `--health-listen=127.0.0.1:${ports.health}`,
      '--leader-elect',
      `--lease-duration=${lease.duration}`,
      `--renew-deadline=${lease.renew}`,
      `--retry-period=${lease.retry}`,
      '--log-format=json',
      '--log-level=debug',
    ],
    log: path.join(opts.cluster.dir, `aspen-${opts.replicaId}.log`),
  });
  return { replicaId: opts.replicaId, proc, ports };
}

/** GET http://127.0.0.1:<port><path>; resolves with the status code (0 when it cannot connect). */
function httpStatus(port: number, path: string): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path, timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', () => resolve(0));
    req.on('timeout', () => req.destroy());
  });
}

/**
 * Waits until the replica's /readyz answers 200 (informers synced, first build published, webhook certificate
 * loaded; by then it campaigns for the Lease); rejects after `timeoutMs` or when the process exits.
 */
export async function waitReady(aspen: Aspen, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void aspen.proc.exited.then(() => (exited = true));
  while (Date.now() < deadline && !exited) {
    if ((await httpStatus(aspen.ports.health, '/readyz')) === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(
    `aspen replica ${aspen.replicaId} not ready (${exited ? 'exited' : 'timed out'}); see ${aspen.proc.log}`,
  );
}

/** `aspen_webhook_reviews_total{path="/validate",outcome="denied"}` of a replica (0 before the first). */
export async function webhookDenials(aspen: Aspen): Promise<number> {
  const text = await new Promise<string>((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port: aspen.ports.metrics, path: '/metrics' }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      })
      .on('error', reject);
  });
  const line = text
    .split('\n')
    .find(
      (l) =>
        l.startsWith('aspen_webhook_reviews_total{') &&
        l.includes('path="/validate"') &&
        l.includes('outcome="denied"'),
    );
  return Number(line?.split(' ').at(-1) ?? 0);
}

/** The chart's webhook configurations, pointed at a loopback URL instead of the Service (no caBundle: aspen patches it). */
export function loopbackWebhooks(port: number, namespace: string): string {
  const common = {
    admissionReviewVersions: ['v1'],
    sideEffects: 'None',
    timeoutSeconds: 10,
    matchPolicy: 'Equivalent',
  };
  const injector = {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'MutatingWebhookConfiguration',
    metadata: { name: 'aspen-injector', labels: { 'app.kubernetes.io/name': 'aspen' } },
    webhooks: [
      {
        ...common,
        name: 'namespace.inject.aspen.dev',
        failurePolicy: 'Fail',
        reinvocationPolicy: 'Never',
        clientConfig: { url: `https://localhost:${port}/inject` },
        rules: [
          {
            apiGroups: [''],
            apiVersions: ['v1'],
            operations: ['CREATE'],
            resources: ['pods'],
            scope: 'Namespaced',
          },
        ],
        namespaceSelector: {
          matchExpressions: [
            { key: 'aspen.dev/inject', operator: 'In', values: ['enabled'] },
            { key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system', namespace] },
          ],
        },
      },
    ],
  };
  const validator = {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingWebhookConfiguration',
    metadata: { name: 'aspen-validator', labels: { 'app.kubernetes.io/name': 'aspen' } },
    webhooks: [
      {
        ...common,
        name: 'validate.aspen.dev',
        failurePolicy: 'Ignore',
        clientConfig: { url: `https://localhost:${port}/validate` },
        rules: [
          {
            apiGroups: ['aspen.dev'],
            apiVersions: ['*'],
            operations: ['CREATE', 'UPDATE'],
            resources: ['apisecuritypolicies'],
            scope: 'Namespaced',
          },
        ],
      },
    ],
  };
  return `${stringify(injector)}---\n${stringify(validator)}`;
}
