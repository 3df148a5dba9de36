/**
 * `helm template` of charts/aspen with default and non-default values: what a reviewer would check by reading the
 * manifests (flags from the CLI contract, webhook policies, Pod Security, PDBs, certificate sources, Redis).
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { helmTemplate, repoRoot, type K8sObject } from '../../scripts/k8s/chart.js';
import { DEFAULT_IMAGES } from '../../src/webhook/inject/settings.js';
import { args, find, ids, podSpec, restrictedViolations } from './objects.js';

const fixture = (name: string): Record<string, unknown> =>
  parse(readFileSync(path.join(repoRoot(), 'test', 'fixtures', 'chart', 'values', name), 'utf8')) as Record<
    string,
    unknown
  >;

interface Webhook {
  name: string;
  failurePolicy: string;
  timeoutSeconds: number;
  clientConfig: {
    caBundle?: string;
    service: { name: string; namespace: string; path: string; port: number };
  };
  namespaceSelector?: { matchExpressions: { key: string; operator: string; values: string[] }[] };
  objectSelector?: unknown;
}

const webhooks = (o: K8sObject): Webhook[] => o.webhooks as Webhook[];

describe('chart: helm template with default values', function () {
  this.timeout(120_000);
  let objects: K8sObject[];
  before(async () => {
    objects = await helmTemplate();
  });

  it('renders exactly the expected objects', () => {
    expect(ids(objects)).to.deep.equal([
      'ClusterRole/aspen',
      'ClusterRole/aspen-dataplane',
      'ClusterRole/aspen-edit',
      'ClusterRole/aspen-view',
      'ClusterRoleBinding/aspen',
      'ClusterRoleBinding/aspen-dataplane',
      'Deployment/aspen',
      'Deployment/aspen-dataplane',
      'MutatingWebhookConfiguration/aspen-injector',
      'NetworkPolicy/aspen',
      'NetworkPolicy/aspen-dataplane',
      'PodDisruptionBudget/aspen',
      'Role/aspen',
      'RoleBinding/aspen',
      'Service/aspen',
      'Service/aspen-dataplane',
      'ServiceAccount/aspen',
      'ServiceAccount/aspen-dataplane',
      'ValidatingWebhookConfiguration/aspen-validator',
    ]);
  });

  it('passes the controller the flags of the CLI contract', () => {
    expect(args(find(objects, 'Deployment', 'aspen'))).to.deep.equal([
      'controller',
      '--namespace=$(POD_NAMESPACE)',
      '--replica-id=$(POD_NAME)',
      '--trust-domain=cluster.local',
      '--xds-listen=0.0.0.0:15010',
      '--webhook-listen=0.0.0.0:9443',
      '--webhook-cert-source=self',
      '--metrics-listen=0.0.0.0:9090',
      '--health-listen=0.0.0.0:8081',
      '--leader-elect',
      '--lease-duration=15s',
      '--renew-deadline=10s',
      '--retry-period=2s',
      '--ca-secret=aspen-ca',
      '--dataplane-address=aspen-dataplane.aspen-system.svc:15020',
      '--log-level=info',
      '--log-format=json',
      `--proxy-image=${DEFAULT_IMAGES.proxy}`,
      `--redirect-image=${DEFAULT_IMAGES.redirect}`,
      '--aspen-image=ghcr.io/aspen-dev/aspen:0.1.0',
    ]);
  });

  it('runs one in-memory dataplane, replaced (never two at once) on rollout', () => {
    const dp = find(objects, 'Deployment', 'aspen-dataplane');
    expect(args(dp)).to.deep.equal([
      'dataplane',
      '--listen=0.0.0.0:15020',
      '--metrics-listen=0.0.0.0:9091',
      '--health-listen=0.0.0.0:8082',
      '--tls-dir=/etc/aspen/dataplane-tls',
      '--rate-limit-backend=memory',
      '--log-level=info',
      '--log-format=json',
    ]);
    expect((dp.spec as { replicas: number }).replicas).to.equal(1);
    expect((dp.spec as { strategy: { type: string } }).strategy.type).to.equal('Recreate');
    expect(podSpec(dp).automountServiceAccountToken).to.equal(true);
  });

  it('gives every pod the restricted Pod Security context with a read-only root file system', () => {
    for (const o of objects.filter((x) => x.kind === 'Deployment' || x.kind === 'Job')) {
      expect(restrictedViolations(podSpec(o)), `${o.kind}/${o.metadata.name}`).to.deep.equal([]);
    }
  });

  it('injects opted-in pods with failurePolicy Fail, a timeout of at most 10 s, never in kube-system or aspen-system', () => {
    const [byNamespace, byPod] = webhooks(find(objects, 'MutatingWebhookConfiguration', 'aspen-injector'));
    expect(byNamespace?.failurePolicy).to.equal('Fail');
    expect(byPod?.failurePolicy).to.equal('Fail');
    // Only opted-in pods reach aspen, so Fail never blocks the rest of the cluster.
    expect(byPod).to.have.deep.property('objectSelector', { matchLabels: { 'aspen.dev/inject': 'enabled' } });
    for (const w of [byNamespace, byPod]) {
      expect(w?.timeoutSeconds).to.be.at.most(10);
      const names = w?.namespaceSelector?.matchExpressions.find(
        (e) => e.key === 'kubernetes.io/metadata.name',
      );
      expect(names?.operator).to.equal('NotIn');
      expect(names?.values).to.include.members(['kube-system', 'aspen-system']);
      expect(w?.clientConfig.service).to.deep.equal({
        name: 'aspen',
        namespace: 'aspen-system',
        path: '/inject',
        port: 443,
      });
    }
  });

  it('starts validation with failurePolicy Ignore and leaves caBundle to aspen', () => {
    const validator = find(objects, 'ValidatingWebhookConfiguration', 'aspen-validator');
    expect(webhooks(validator)[0]?.failurePolicy).to.equal('Ignore');
    for (const o of objects.filter((x) => x.kind.endsWith('WebhookConfiguration'))) {
      expect(o.metadata.annotations ?? {}).to.not.have.property('cert-manager.io/inject-ca-from');
      for (const w of webhooks(o)) expect(w.clientConfig).to.not.have.property('caBundle');
    }
  });

  it('protects the two controller replicas with a PodDisruptionBudget and soft anti-affinity', () => {
    expect(find(objects, 'PodDisruptionBudget', 'aspen').spec).to.deep.include({ maxUnavailable: 1 });
    const affinity = podSpec(find(objects, 'Deployment', 'aspen')).affinity ?? {};
    expect(affinity).to.have.nested.property(
      'podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution',
    );
  });

  it('renders no Secret: aspen creates its own certificates at run time', () => {
    expect(objects.filter((o) => o.kind === 'Secret')).to.deep.equal([]);
  });
});

describe('chart: helm template with HA, Redis and cert-manager values', function () {
  this.timeout(120_000);
  let objects: K8sObject[];
  before(async () => {
    objects = await helmTemplate({ values: fixture('ha-redis-cert-manager.yaml') });
  });

  it('reads the webhook certificate from the cert-manager Secret and lets cert-manager inject caBundle', () => {
    const controller = find(objects, 'Deployment', 'aspen');
    expect(args(controller)).to.include.members([
      '--webhook-cert-source=external',
      '--webhook-cert-dir=/etc/aspen/webhook-tls',
    ]);
    expect(podSpec(controller).volumes).to.deep.include({
      name: 'webhook-tls',
      secret: { secretName: 'aspen-webhook-tls' },
    });
    for (const name of ['aspen-injector', 'aspen-validator']) {
      const kind =
        name === 'aspen-injector' ? 'MutatingWebhookConfiguration' : 'ValidatingWebhookConfiguration';
      expect(find(objects, kind, name).metadata.annotations).to.deep.equal({
        'cert-manager.io/inject-ca-from': 'aspen-system/aspen-webhook',
      });
    }
    const cert = find(objects, 'Certificate', 'aspen-webhook').spec as Record<string, unknown>;
    expect(cert.secretName).to.equal('aspen-webhook-tls');
    expect(cert.dnsNames).to.deep.equal(['aspen.aspen-system.svc', 'aspen.aspen-system.svc.cluster.local']);
    expect(cert.issuerRef).to.deep.equal({
      name: 'platform-ca',
      kind: 'ClusterIssuer',
      group: 'cert-manager.io',
    });
    expect(objects.some((o) => o.kind === 'Issuer')).to.equal(false);
  });

  it('shares rate-limit counters through Redis across three rolling dataplane replicas', () => {
    const dp = find(objects, 'Deployment', 'aspen-dataplane');
    expect(args(dp)).to.include.members([
      '--rate-limit-backend=redis',
      '--redis-address=redis.platform.svc:6380',
      '--redis-password-file=/etc/aspen/redis/password',
      '--redis-tls',
    ]);
    expect((dp.spec as { strategy: { type: string } }).strategy.type).to.equal('RollingUpdate');
    expect(find(objects, 'PodDisruptionBudget', 'aspen-dataplane').spec).to.deep.include({
      maxUnavailable: 1,
    });
    const egress = (find(objects, 'NetworkPolicy', 'aspen-dataplane').spec as { egress: unknown[] }).egress;
    expect(egress).to.deep.include({ ports: [{ port: 6380, protocol: 'TCP' }] });
  });

  it('pins the image by digest and spreads controllers over nodes', () => {
    const controller = find(objects, 'Deployment', 'aspen');
    expect(podSpec(controller).containers[0]?.image).to.equal(
      'registry.example.com/aspen@sha256:0000000000000000000000000000000000000000000000000000000000000001',
    );
    expect(podSpec(controller).affinity).to.have.nested.property(
      'podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution',
    );
    expect(args(controller)).to.include.members(['--trust-domain=prod.example.com', '--log-format=pretty']);
  });

  it('passes the injected sidecar and redirect images, and its own image for proxyless pods, to the controller', () => {
    expect(args(find(objects, 'Deployment', 'aspen'))).to.include.members([
      '--aspen-image=registry.example.com/aspen@sha256:0000000000000000000000000000000000000000000000000000000000000001',
      '--proxy-image=registry.example.com/envoy@sha256:0000000000000000000000000000000000000000000000000000000000000002',
      '--redirect-image=registry.example.com/aspen-redirect@sha256:0000000000000000000000000000000000000000000000000000000000000003',
    ]);
  });

  it('excludes the extra namespaces from injection', () => {
    for (const w of webhooks(find(objects, 'MutatingWebhookConfiguration', 'aspen-injector'))) {
      const names = w.namespaceSelector?.matchExpressions.find(
        (e) => e.key === 'kubernetes.io/metadata.name',
      );
      expect(names?.values).to.deep.equal(['aspen-system', 'cert-manager', 'kube-system', 'monitoring']);
      expect(w.timeoutSeconds).to.equal(5);
    }
  });

  it('scrapes both components with ServiceMonitors carrying the extra labels', () => {
    for (const name of ['aspen', 'aspen-dataplane']) {
      expect(find(objects, 'ServiceMonitor', name).metadata.labels).to.include({ release: 'prometheus' });
    }
  });

  it('ships the CRD upgrade as pre-upgrade hooks applying the very file of crds/', () => {
    const job = find(objects, 'Job', 'aspen-crd-upgrade');
    expect(job.metadata.annotations).to.include({ 'helm.sh/hook': 'pre-upgrade' });
    expect(restrictedViolations(podSpec(job))).to.deep.equal([]);
    const data = find(objects, 'ConfigMap', 'aspen-crds').data as Record<string, string>;
    const crd = readFileSync(path.join(repoRoot(), 'crds', 'apisecuritypolicies.aspen.dev.yaml'), 'utf8');
    expect(data['apisecuritypolicies.aspen.dev.yaml']).to.equal(crd);
  });
});

describe('chart: helm template with minimal values', function () {
  this.timeout(120_000);

  it('renders one controller without leader election, dataplane, injector, NetworkPolicy or PDB', async () => {
    const objects = await helmTemplate({ values: fixture('minimal.yaml') });
    expect(ids(objects)).to.not.include.members([
      'Deployment/aspen-dataplane',
      'MutatingWebhookConfiguration/aspen-injector',
      'NetworkPolicy/aspen',
      'PodDisruptionBudget/aspen',
    ]);
    const controller = find(objects, 'Deployment', 'aspen');
    expect(args(controller)).to.include('--no-leader-elect');
    expect(args(controller).some((a) => a.startsWith('--metrics-listen'))).to.equal(false);
    expect(find(objects, 'Issuer', 'aspen-selfsigned').spec).to.deep.equal({ selfSigned: {} });
  });
});
