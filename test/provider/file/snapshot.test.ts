import { expect } from 'chai';
import { parseManifests } from '../../../src/provider/file/manifests.js';
import { buildSnapshot, type SnapshotResult } from '../../../src/provider/file/snapshot.js';

/** Builds the snapshot of a YAML text read as `f.yaml`, with namespace `default` as the default. */
function build(text: string, defaultNamespace = 'default'): SnapshotResult {
  const parsed = parseManifests(text, 'f.yaml');
  expect(parsed.errors).to.deep.equal([]);
  return buildSnapshot(parsed.manifests, { defaultNamespace });
}

const POD_SPEC = `
      serviceAccountName: orders-sa
      initContainers:
        - name: migrate
          ports: [{ containerPort: 5000 }]
        - name: sidecar
          restartPolicy: Always
          ports: [{ containerPort: 15000, name: admin }]
      containers:
        - name: app
          ports:
            - { containerPort: 8080, name: http }
            - { containerPort: 53, protocol: UDP }
        - name: metrics
          ports:
            - { containerPort: 9090 }
            - { containerPort: 8080, name: http-again }
            - { containerPort: 53 }`;

/** An apps/v1 controller whose pod template carries the labels, annotations and ports above. */
function controller(kind: string): string {
  return `apiVersion: apps/v1
kind: ${kind}
metadata:
  name: orders
  namespace: shop
  labels: { owner: controller }
spec:
  template:
    metadata:
      labels: { app: orders }
      annotations: { note: template }
    spec:${POD_SPEC}
`;
}

const EXPECTED_PORTS = [
  { port: 53, protocol: 'TCP' },
  { port: 53, protocol: 'UDP' },
  { port: 8080, name: 'http', protocol: 'TCP' },
  { port: 9090, protocol: 'TCP' },
  { port: 15000, name: 'admin', protocol: 'TCP' },
];

describe('buildSnapshot', () => {
  describe('workloads', () => {
    for (const kind of ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet']) {
      it(`reads the pod template of an apps/v1 ${kind}`, () => {
        const { snapshot, problems } = build(controller(kind));
        expect(problems).to.deep.equal([]);
        expect(snapshot.workloads).to.deep.equal([
          {
            kind,
            namespace: 'shop',
            name: 'orders',
            source: { file: 'f.yaml', line: 1 },
            labels: { app: 'orders' },
            annotations: { note: 'template' },
            serviceAccount: 'orders-sa',
            ports: EXPECTED_PORTS,
          },
        ]);
      });
    }

    it('reads a bare Pod, defaulting its namespace and service account', () => {
      const text = `apiVersion: v1
kind: Pod
metadata:
  name: debug
  labels: { app: debug }
spec:
  containers:
    - name: c
      ports: [{ containerPort: 80 }]
`;
      const { snapshot } = build(text, 'team-a');
      expect(snapshot.workloads).to.deep.equal([
        {
          kind: 'Pod',
          namespace: 'team-a',
          name: 'debug',
          source: { file: 'f.yaml', line: 1 },
          labels: { app: 'debug' },
          annotations: {},
          serviceAccount: 'default',
          ports: [{ port: 80, protocol: 'TCP' }],
        },
      ]);
    });

    it('skips malformed fields instead of failing', () => {
      const text = `apiVersion: apps/v1
kind: Deployment
metadata: { name: broken }
spec:
  template:
    metadata: { labels: [not, a, map], annotations: { ok: yes, count: 3 } }
    spec:
      serviceAccountName: 42
      containers:
        - name: a
          ports: not-a-list
        - just-a-string
        - name: b
          ports:
            - containerPort: "8080"
            - containerPort: 70000
            - containerPort: 8.5
            - 443
            - containerPort: 8443
---
apiVersion: apps/v1
kind: StatefulSet
metadata: { name: no-template }
spec: 3
`;
      const { snapshot } = build(text);
      expect(
        snapshot.workloads.map((w) => [w.name, w.labels, w.annotations, w.serviceAccount, w.ports]),
      ).to.deep.equal([
        ['broken', {}, { ok: 'yes' }, 'default', [{ port: 8443, protocol: 'TCP' }]],
        ['no-template', {}, {}, 'default', []],
      ]);
    });

    it('ignores controllers outside apps/v1 and kinds that are not workloads', () => {
      const text = `apiVersion: extensions/v1beta1
kind: Deployment
metadata: { name: old }
---
apiVersion: batch/v1
kind: Job
metadata: { name: job }
`;
      expect(build(text).snapshot.workloads).to.deep.equal([]);
    });
  });

  describe('services', () => {
    it('reads selector and ports, defaulting targetPort to the port and protocol to TCP', () => {
      const text = `apiVersion: v1
kind: Service
metadata: { name: orders, namespace: shop }
spec:
  selector: { app: orders }
  ports:
    - { name: http, port: 80, targetPort: http }
    - { port: 443, targetPort: 8443, protocol: TCP }
    - { port: 53, protocol: UDP }
    - { port: nope }
---
apiVersion: v1
kind: Service
metadata: { name: external, namespace: shop }
spec:
  selector: {}
  ports: [{ port: 80 }]
`;
      const { snapshot } = build(text);
      expect(snapshot.services).to.deep.equal([
        {
          namespace: 'shop',
          name: 'external',
          source: { file: 'f.yaml', line: 12 },
          ports: [{ port: 80, targetPort: 80, protocol: 'TCP' }],
        },
        {
          namespace: 'shop',
          name: 'orders',
          source: { file: 'f.yaml', line: 1 },
          selector: { app: 'orders' },
          ports: [
            { name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' },
            { port: 443, targetPort: 8443, protocol: 'TCP' },
            { port: 53, targetPort: 53, protocol: 'UDP' },
          ],
        },
      ]);
    });
  });

  describe('namespaces', () => {
    it('lists declared namespaces and every namespace an object lives in, labelled with their name', () => {
      const text = `apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels: { team: shop, kubernetes.io/metadata.name: spoofed }
---
apiVersion: v1
kind: ConfigMap
metadata: { name: c, namespace: payments }
---
apiVersion: v1
kind: ConfigMap
metadata: { name: d }
---
apiVersion: v1
kind: ConfigMap
metadata: { name: e, namespace: shop }
`;
      const { snapshot } = build(text, 'team-a');
      expect(snapshot.namespaces).to.deep.equal([
        { namespace: '', name: 'payments', labels: { 'kubernetes.io/metadata.name': 'payments' } },
        {
          namespace: '',
          name: 'shop',
          source: { file: 'f.yaml', line: 1 },
          labels: { team: 'shop', 'kubernetes.io/metadata.name': 'shop' },
        },
        { namespace: '', name: 'team-a', labels: { 'kubernetes.io/metadata.name': 'team-a' } },
      ]);
      expect(snapshot.configMaps.map((c) => `${c.namespace}/${c.name}`)).to.deep.equal([
        'payments/c',
        'shop/e',
        'team-a/d',
      ]);
    });
  });

  describe('secrets and config maps', () => {
    it('decodes Secret data and merges stringData over it', () => {
      const text = `apiVersion: v1
kind: Secret
metadata: { name: keys, namespace: shop }
data:
  username: YWRtaW4=
  password: b2xk
  wrapped: |
    aGVsbG8g
    d29ybGQ=
stringData:
  password: new
`;
      const { snapshot, problems } = build(text);
      expect(problems).to.deep.equal([]);
      expect(snapshot.secrets).to.deep.equal([
        {
          namespace: 'shop',
          name: 'keys',
          source: { file: 'f.yaml', line: 1 },
          data: { username: 'admin', password: 'new', wrapped: 'hello world' },
        },
      ]);
    });

    it('skips and reports Secret values that are not base64, without printing them', () => {
      const text = `apiVersion: v1
kind: Secret
metadata: { name: keys }
data:
  good: b2s=
  bad: not base64 s3cr3t!
`;
      const { snapshot, problems } = build(text);
      expect(snapshot.secrets[0]?.data).to.deep.equal({ good: 'ok' });
      expect(problems).to.deep.equal([
        { file: 'f.yaml', line: 6, message: 'Secret default/keys: data.bad: not base64 text; ignored' },
      ]);
      expect(JSON.stringify(problems)).not.to.contain('s3cr3t');
    });

    it('reads ConfigMap data', () => {
      const text = `apiVersion: v1
kind: ConfigMap
metadata: { name: settings }
data: { mode: strict, "ratio": "0.5" }
`;
      expect(build(text).snapshot.configMaps).to.deep.equal([
        {
          namespace: 'default',
          name: 'settings',
          source: { file: 'f.yaml', line: 1 },
          data: { mode: 'strict', ratio: '0.5' },
        },
      ]);
    });
  });

  describe('policies', () => {
    it('keeps every aspen.dev object as read, whatever its version or kind', () => {
      const text = `apiVersion: aspen.dev/v1alpha1
kind: ApiSecurityPolicy
metadata: { name: orders, namespace: shop, generation: 4 }
spec: { mtls: { mode: STRICT } }
---
apiVersion: aspen.dev/v9
kind: Unknown
metadata: { name: future }
---
apiVersion: other.dev/v1
kind: ApiSecurityPolicy
metadata: { name: not-ours }
`;
      const { snapshot } = build(text);
      expect(snapshot.policies).to.deep.equal([
        {
          apiVersion: 'aspen.dev/v9',
          kind: 'Unknown',
          namespace: 'default',
          name: 'future',
          source: { file: 'f.yaml', line: 6 },
          generation: 0,
          object: { apiVersion: 'aspen.dev/v9', kind: 'Unknown', metadata: { name: 'future' } },
        },
        {
          apiVersion: 'aspen.dev/v1alpha1',
          kind: 'ApiSecurityPolicy',
          namespace: 'shop',
          name: 'orders',
          source: { file: 'f.yaml', line: 1 },
          generation: 4,
          object: {
            apiVersion: 'aspen.dev/v1alpha1',
            kind: 'ApiSecurityPolicy',
            metadata: { name: 'orders', namespace: 'shop', generation: 4 },
            spec: { mtls: { mode: 'STRICT' } },
          },
        },
      ]);
    });

    it('keeps a policy without a name for the translator to report', () => {
      const text = 'apiVersion: aspen.dev/v1alpha1\nkind: ApiSecurityPolicy\nmetadata: {}\n';
      const { snapshot, problems } = build(text);
      expect(problems).to.deep.equal([]);
      expect(snapshot.policies.map((p) => [p.namespace, p.name])).to.deep.equal([['default', '']]);
    });
  });

  describe('duplicates and nameless objects', () => {
    it('keeps the last definition of an object and reports where the first one is', () => {
      const first =
        'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: c, namespace: shop }\ndata: { v: first }\n';
      const second = 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: c }\ndata: { v: second }\n';
      const { snapshot, problems } = build(`${first}---\n${second}`, 'shop');
      expect(snapshot.configMaps.map((c) => c.data)).to.deep.equal([{ v: 'second' }]);
      expect(problems).to.deep.equal([
        { file: 'f.yaml', line: 6, message: 'duplicate ConfigMap shop/c (also at f.yaml:1)' },
      ]);
    });

    it('reports two workloads of different kinds that share a namespace and name', () => {
      const text = `${controller('Deployment')}---\n${controller('StatefulSet')}`;
      const { snapshot, problems } = build(text);
      expect(snapshot.workloads.map((w) => w.kind)).to.deep.equal(['StatefulSet']);
      expect(problems.map((p) => p.message)).to.deep.equal([
        'duplicate workload StatefulSet shop/orders (also Deployment at f.yaml:1)',
      ]);
    });

    it('does not confuse objects of different kinds or namespaces with the same name', () => {
      const text = `apiVersion: v1
kind: Secret
metadata: { name: x }
---
apiVersion: v1
kind: ConfigMap
metadata: { name: x }
---
apiVersion: v1
kind: ConfigMap
metadata: { name: x, namespace: other }
`;
      const { snapshot, problems } = build(text);
      expect(problems).to.deep.equal([]);
      expect(snapshot.secrets).to.have.length(1);
      expect(snapshot.configMaps).to.have.length(2);
    });

    it('reports and ignores an object without a name', () => {
      const text = 'apiVersion: v1\nkind: Service\nmetadata:\n  namespace: shop\nspec: {}\n';
      const { snapshot, problems } = build(text);
      expect(snapshot.services).to.deep.equal([]);
      expect(problems).to.deep.equal([
        { file: 'f.yaml', line: 3, message: 'Service without metadata.name; ignored' },
      ]);
    });
  });
});
