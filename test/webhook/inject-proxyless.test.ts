/**
 * Proxyless gRPC injection: a pod annotated `aspen.dev/proxyless: "true"` gets the gRPC bootstrap env and read-only
 * mount on every application container, the bootstrap/certificate agent (init + renewing sidecar, aspen's image,
 * the workload named like the Envoy path names it, its service account), the trust bundle through the same
 * annotation and downward-API volume as Envoy, and no Envoy or redirect; injecting or hooking again changes nothing.
 */
import { expect } from 'chai';
import type { V1Container } from '@kubernetes/client-node';
import { TRUST_BUNDLE } from '../../src/webhook/inject/annotations.js';
import { injectPod } from '../../src/webhook/inject/inject.js';
import { injectProxyless } from '../../src/webhook/inject/proxyless.js';
import type { InjectionResult, Pod } from '../../src/webhook/inject/types.js';
import { TEST_TRUST_BUNDLE, testSettings } from './fixtures.js';

const LABELS = { 'aspen.dev/inject': 'enabled' };

function grpcPod(): Pod {
  return {
    metadata: {
      name: 'orders-7d9f8-abcde',
      namespace: 'shop',
      labels: { 'pod-template-hash': '7d9f8' },
      annotations: { 'aspen.dev/proxyless': 'true' },
      ownerReferences: [
        { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'orders-7d9f8', uid: 'u', controller: true },
      ],
    },
    spec: {
      serviceAccountName: 'orders',
      containers: [
        {
          name: 'server',
          image: 'orders:1',
          env: [
            { name: 'GRPC_XDS_BOOTSTRAP', value: '/old/bootstrap.json' },
            { name: 'KEEP', value: '1' },
          ],
        },
        { name: 'metrics', image: 'metrics:1' },
      ],
      volumes: [{ name: 'data', emptyDir: {} }],
    },
  };
}

function admitted(result: InjectionResult): Extract<InjectionResult, { allowed: true }> {
  if (!result.allowed) throw new Error(result.message);
  return result;
}

function inject(pod: Pod, nativeSidecars = true): Extract<InjectionResult, { allowed: true }> {
  return admitted(
    injectPod({ pod, namespace: 'shop', namespaceLabels: LABELS }, testSettings({ nativeSidecars })),
  );
}

function named(containers: readonly V1Container[] | undefined, name: string): V1Container {
  const found = (containers ?? []).find((c) => c.name === name);
  if (found === undefined) throw new Error(`no container ${name}`);
  return found;
}

/** Each app container has the gRPC bootstrap env and the read-only files mount. */
function expectGrpcReady(container: V1Container): void {
  expect(container.env, container.name).to.deep.include({
    name: 'GRPC_XDS_BOOTSTRAP',
    value: '/var/run/aspen/grpc/bootstrap.json',
  });
  expect(container.env, container.name).to.deep.include({
    name: 'GRPC_XDS_EXPERIMENTAL_RBAC',
    value: 'true',
  });
  expect(container.volumeMounts, container.name).to.deep.include({
    name: 'aspen-grpc',
    mountPath: '/var/run/aspen/grpc',
    readOnly: true,
  });
}

describe('proxyless gRPC injection', () => {
  it('gives every app container the bootstrap env and a read-only mount, and adds the agent but no Envoy', () => {
    const { pod } = inject(grpcPod());
    const spec = pod.spec ?? { containers: [] };
    spec.containers.forEach(expectGrpcReady);
    const server = named(spec.containers, 'server');
    expect(server.env?.filter((e) => e.name === 'GRPC_XDS_BOOTSTRAP')).to.have.length(1);
    expect(server.env).to.deep.include({ name: 'KEEP', value: '1' });
    const names = [...(spec.initContainers ?? []), ...spec.containers].map((c) => c.name);
    expect(names).to.deep.equal(['aspen-grpc-init', 'aspen-grpc-agent', 'server', 'metrics']);
    expect(pod.metadata?.annotations?.['aspen.dev/injected']).to.equal('proxyless');
  });

  it('runs the agent from the aspen image as the workload and service account the Envoy path would use', () => {
    const { pod } = inject(grpcPod());
    const init = named(pod.spec?.initContainers, 'aspen-grpc-init');
    expect(init.image).to.equal(testSettings().images.aspen);
    expect(init.args).to.include.members([
      '--workload=shop/orders',
      '--service-account=orders',
      `--xds-address=${testSettings().xdsAddress}`,
    ]);
    expect(named(pod.spec?.initContainers, 'aspen-grpc-agent').restartPolicy).to.equal('Always');
  });

  it('delivers the trust bundle like the Envoy path: pod annotation through a downward-API volume', () => {
    const { pod } = inject(grpcPod());
    expect(pod.metadata?.annotations?.[TRUST_BUNDLE]).to.equal(TEST_TRUST_BUNDLE);
    const volume = (pod.spec?.volumes ?? []).find((v) => v.name === 'aspen-trust-bundle');
    expect(volume?.configMap).to.equal(undefined);
    expect(volume?.downwardAPI?.items).to.deep.equal([
      { path: 'trust-bundle.pem', fieldRef: { fieldPath: `metadata.annotations['${TRUST_BUNDLE}']` } },
    ]);
    expect((pod.spec?.volumes ?? []).map((v) => v.name)).to.deep.equal([
      'data',
      'aspen-grpc',
      'aspen-token',
      'aspen-trust-bundle',
    ]);
  });

  it('changes nothing when injected again, nor when the hook runs on its own output', () => {
    const first = inject(grpcPod());
    const again = inject(first.pod);
    expect(again.patch).to.deep.equal([]);
    expect(again.pod).to.deep.equal(first.pod);
    const settings = testSettings();
    const hooked = injectProxyless(first.pod, { namespace: 'shop', settings });
    expect(hooked).to.deep.equal(first.pod);
  });

  it('runs the renewing agent beside the app on clusters without native sidecars', () => {
    const { pod } = inject(grpcPod(), false);
    expect((pod.spec?.initContainers ?? []).map((c) => c.name)).to.deep.equal(['aspen-grpc-init']);
    const agent = named(pod.spec?.containers, 'aspen-grpc-agent');
    expect(agent.restartPolicy).to.equal(undefined);
    expect(agent.env?.map((e) => e.name)).to.deep.equal(['POD_NAME']);
    expect(
      injectProxyless(pod, { namespace: 'shop', settings: testSettings({ nativeSidecars: false }) }),
    ).to.deep.equal(pod);
  });

  it('refuses a proxyless pod while there is no trust bundle (the agent could not verify aspen)', () => {
    const result = injectPod(
      { pod: grpcPod(), namespace: 'shop', namespaceLabels: LABELS },
      testSettings({ trustBundlePem: '' }),
    );
    expect(result.allowed).to.equal(false);
  });
});
