/**
 * Runs `aspen controller` from this repository (node bin/aspen.js) against the e2e cluster, every port on loopback
 * but the webhook's, which listens where the chart's Service `aspen` is routed (harness/route.ts). Tests that need the controller skip, with the reason, while the command does not exist.
 */
import http from 'node:http';
import path from 'node:path';
import { stringify } from 'yaml';
import { helmTemplate } from '../../../scripts/k8s/chart.js';
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
  /** Address the webhook listens on (default 127.0.0.1; the host address when the Service is routed here). */
  webhookHost?: string;
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
      `--webhook-listen=${opts.webhookHost ?? '127.0.0.1'}:${ports.webhook}`,
      '--webhook-cert-source=self',
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

/**
 * The chart's webhook configurations, pointed at a loopback URL instead of the Service (no caBundle: aspen patches
 * it). Used only when this machine has no non-loopback address to route the Service to (harness/route.ts); aspen's
 * serving certificate must then be valid for 127.0.0.1.
 */
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
        clientConfig: { url: `https://127.0.0.1:${port}/inject` },
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
        clientConfig: { url: `https://127.0.0.1:${port}/validate` },
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

/** The chart's own webhook configurations for aspen's namespace (Service clientConfig, no caBundle). */
export async function chartWebhooks(namespace: string): Promise<string> {
  const objects = await helmTemplate({ namespace });
  return objects
    .filter((o) => o.kind === 'MutatingWebhookConfiguration' || o.kind === 'ValidatingWebhookConfiguration')
    .map((o) => stringify(o))
    .join('---\n');
}

/** GET a loopback URL; resolves with the status code (0 when it cannot connect). */
function get(url: string): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', () => resolve(0));
    req.on('timeout', () => req.destroy());
  });
}

/**
 * Waits until a replica answers /readyz with 200 (informers synced, first build published: it has also seen the
 * Lease), polling every 200 ms for at most 60 s. Hand-over bounds are measured from a replica that is running.
 */
export async function waitAspenReady(aspen: Aspen): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if ((await get(`http://127.0.0.1:${aspen.ports.health}/readyz`)) === 200) return;
    if (aspen.proc.child.exitCode !== null)
      throw new Error(`${aspen.proc.name} exited; see ${aspen.proc.log}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${aspen.proc.name} was not ready within 60 s; see ${aspen.proc.log}`);
}
