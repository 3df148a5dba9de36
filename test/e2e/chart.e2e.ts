/**
 * The chart and deploy/aspen.yaml on a real API server: every object is accepted by the server's own schemas
 * (strict field validation), the Deployments' pods pass Pod Security admission at level "restricted", the RBAC
 * grants exactly what the controller needs, and `helm upgrade` from the previous chart version applies.
 */
import { expect } from 'chai';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { chartDir, k8sCli, repoRoot, run } from '../../scripts/k8s/chart.js';
import { deployFile } from '../../scripts/k8s/deploy.js';
import { cluster, installBlocked } from './harness/shared.js';

const SA = 'system:serviceaccount:aspen-system:aspen';

/** Set when the suite must not touch aspen's objects (see installBlocked). */
let blocked: string | undefined;

/** Deletes what an install of aspen created, except the CRD (other files' policies live in it). */
async function uninstallAspen(namespace: string): Promise<void> {
  if (blocked !== undefined) return;
  const c = cluster();
  await c.kubectl([
    'delete',
    'clusterrole,clusterrolebinding,mutatingwebhookconfiguration,validatingwebhookconfiguration',
    '-l',
    'app.kubernetes.io/name=aspen',
  ]);
  await c.kubectl(['delete', 'namespace', namespace, '--wait=false']);
}

describe('e2e: deploy/aspen.yaml and the chart on a real API server', function () {
  this.timeout(180_000);

  before(async function () {
    blocked = await installBlocked();
    if (blocked !== undefined) {
      process.stdout.write(`      skipped: ${blocked}\n`);
      this.skip();
    }
  });

  describe('helm install of the previous chart version, then helm upgrade to this one', () => {
    const ns = 'e2e-helm';
    after(async () => {
      const { helm } = await k8sCli();
      await run(helm, ['uninstall', 'aspen', '-n', ns, '--kubeconfig', cluster().kubeconfig]);
      await uninstallAspen(ns);
    });

    it('installs, upgrades and keeps the release deployed', async () => {
      const { helm } = await k8sCli();
      const dir = path.join(repoRoot(), 'test', 'fixtures', 'chart', 'previous');
      const previous = readdirSync(dir).find((f) => f.endsWith('.tgz'));
      expect(previous, `a packaged previous chart in ${dir}`).to.be.a('string');
      const kc = ['--kubeconfig', cluster().kubeconfig];
      // Helm 4 applies crds/ server-side: on a cluster where someone else manages the CRD, leave it to them.
      const crdExists = (await cluster().kubectl(['get', 'crd', 'apisecuritypolicies.aspen.dev'])).code === 0;
      const install = await run(helm, [
        'install',
        'aspen',
        path.join(dir, previous ?? ''),
        '-n',
        ns,
        '--create-namespace',
        ...(crdExists ? ['--skip-crds'] : []),
        ...kc,
      ]);
      expect(install.code, install.stderr).to.equal(0);
      const upgrade = await run(helm, ['upgrade', 'aspen', chartDir(), '-n', ns, ...kc]);
      expect(upgrade.code, upgrade.stderr).to.equal(0);
      const status = await run(helm, ['status', 'aspen', '-n', ns, '-o', 'json', ...kc]);
      const info = JSON.parse(status.stdout) as { info: { status: string }; version: number };
      expect(info.info.status).to.equal('deployed');
      expect(info.version).to.equal(2);
    });
  });

  describe('kubectl apply -f deploy/aspen.yaml', () => {
    before(async () => {
      await cluster().kubectlOk([
        'apply',
        '--server-side',
        '--force-conflicts',
        '--validate=strict',
        '-f',
        deployFile(),
      ]);
    });
    after(async () => {
      await uninstallAspen('aspen-system');
    });

    it('creates the controller and dataplane pods under Pod Security "restricted" enforcement', async () => {
      const c = cluster();
      const labels = await c.kubectlOk([
        'get',
        'namespace',
        'aspen-system',
        '-o',
        'jsonpath={.metadata.labels}',
      ]);
      expect(JSON.parse(labels)).to.include({ 'pod-security.kubernetes.io/enforce': 'restricted' });
      // The ReplicaSet controller creates the pods; Pod Security admission would refuse a non-restricted one.
      for (const [name, replicas] of [
        ['aspen', 2],
        ['aspen-dataplane', 1],
      ] as const) {
        await c.kubectlOk([
          'wait',
          '-n',
          'aspen-system',
          `--for=jsonpath={.status.replicas}=${replicas}`,
          '--timeout=90s',
          `deployment/${name}`,
        ]);
      }
    });

    const allowed: [string, string[]][] = [
      [
        'patch policy status',
        ['patch', 'apisecuritypolicies.aspen.dev', '--subresource=status', '-n', 'shop'],
      ],
      ['watch pods everywhere', ['watch', 'pods', '--all-namespaces']],
      ['create NetworkPolicies', ['create', 'networkpolicies.networking.k8s.io', '-n', 'shop']],
      ['update its Lease', ['update', 'leases.coordination.k8s.io/aspen-leader', '-n', 'aspen-system']],
      ['get its CA Secret', ['get', 'secret/aspen-ca', '-n', 'aspen-system']],
      ['patch its injector', ['patch', 'mutatingwebhookconfigurations/aspen-injector']],
      ['review tokens', ['create', 'tokenreviews.authentication.k8s.io']],
      ['read a policy before writing its status', ['get', 'apisecuritypolicies.aspen.dev', '-n', 'shop']],
      ['read the labels of a new namespace (injection)', ['get', 'namespaces/shop']],
      [
        'dry-run a policy in its namespace (webhook self-test)',
        ['create', 'apisecuritypolicies.aspen.dev', '-n', 'aspen-system'],
      ],
      ['keep the dataplane Secret', ['update', 'secret/aspen-dataplane-tls', '-n', 'aspen-system']],
    ];
    const denied: [string, string[]][] = [
      ['get other Secrets in its namespace', ['get', 'secret/other', '-n', 'aspen-system']],
      ['get Secrets by name elsewhere', ['get', 'secret/db-password', '-n', 'shop']],
      ['delete Secrets', ['delete', 'secrets', '-n', 'aspen-system']],
      ['patch other webhooks', ['patch', 'mutatingwebhookconfigurations/someone-else']],
      ['update policies (spec)', ['update', 'apisecuritypolicies.aspen.dev', '-n', 'shop']],
      ['create policies in other namespaces', ['create', 'apisecuritypolicies.aspen.dev', '-n', 'shop']],
      ['create pods', ['create', 'pods', '-n', 'shop']],
      ['update another Lease', ['update', 'leases.coordination.k8s.io/other', '-n', 'aspen-system']],
    ];
    const dataplane: [string, string[], 'yes' | 'no'][] = [
      ['get a referenced API-key Secret', ['get', 'secret/partner-a-key', '-n', 'shop'], 'yes'],
      ['list Secrets', ['list', 'secrets', '-n', 'shop'], 'no'],
      ['watch policies', ['watch', 'apisecuritypolicies.aspen.dev', '--all-namespaces'], 'yes'],
      [
        'patch policy status',
        ['patch', 'apisecuritypolicies.aspen.dev', '--subresource=status', '-n', 'shop'],
        'no',
      ],
    ];
    for (const [why, args, answer] of dataplane) {
      it(`${answer === 'yes' ? 'lets' : 'does not let'} the dataplane ${why}`, async () => {
        const r = await cluster().kubectl([
          'auth',
          'can-i',
          ...args,
          '--as=system:serviceaccount:aspen-system:aspen-dataplane',
        ]);
        expect(r.stdout.trim(), r.stderr).to.equal(answer);
      });
    }
    for (const [why, args] of allowed) {
      it(`lets the controller ${why}`, async () => {
        const r = await cluster().kubectl(['auth', 'can-i', ...args, `--as=${SA}`]);
        expect(r.stdout.trim(), r.stderr).to.equal('yes');
      });
    }
    for (const [why, args] of denied) {
      it(`does not let the controller ${why}`, async () => {
        const r = await cluster().kubectl(['auth', 'can-i', ...args, `--as=${SA}`]);
        expect(r.stdout.trim()).to.equal('no');
      });
    }
  });
});
