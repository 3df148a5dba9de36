import { expect } from 'chai';
import {
  CoordinationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  PatchStrategy,
  Watch,
  makeInformer,
  setHeaderOptions,
} from '@kubernetes/client-node';
import type { KubernetesObject, V1Pod } from '@kubernetes/client-node';
import { tokenReviewVerifier } from '../../../src/xds/sds/token-review.js';
import { startFakeApiServer } from './index.js';
import type { FakeApiServer, KubeObject } from './index.js';

const GROUP = 'aspen.dev';
const VERSION = 'v1alpha1';
const PLURAL = 'apisecuritypolicies';

function pod(name: string, labels: Record<string, string> = {}): V1Pod {
  return {
    metadata: { name, namespace: 'shop', labels },
    spec: { containers: [{ name: 'app', image: 'x' }] },
  };
}

function policy(name: string, spec: Record<string, unknown> = { mode: 'Enforce' }): KubeObject {
  return {
    apiVersion: `${GROUP}/${VERSION}`,
    kind: 'ApiSecurityPolicy',
    metadata: { name, namespace: 'shop' },
    spec,
  };
}

interface Seen {
  type: string;
  name: string;
  code?: number;
}

/** Starts a raw client-node watch and collects its events until done. */
async function watchPods(
  api: FakeApiServer,
  resourceVersion?: string,
): Promise<{ seen: Seen[]; done: Promise<unknown> }> {
  const seen: Seen[] = [];
  let finish: (err: unknown) => void = () => undefined;
  const done = new Promise<unknown>((resolve) => (finish = resolve));
  await new Watch(api.kubeConfig).watch(
    '/api/v1/namespaces/shop/pods',
    resourceVersion === undefined ? {} : { resourceVersion },
    (type, obj: { metadata?: { name?: string }; code?: number }) =>
      seen.push({ type, name: obj.metadata?.name ?? '', code: obj.code }),
    finish,
  );
  return { seen, done };
}

describe('fake API server with the real client-node', () => {
  let api: FakeApiServer;
  beforeEach(async () => {
    api = await startFakeApiServer();
    api.put({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } });
  });
  afterEach(async () => api.close());

  it('creates, lists with a label selector, gets and deletes', async () => {
    const core = api.kubeConfig.makeApiClient(CoreV1Api);
    await core.createNamespacedPod({ namespace: 'shop', body: pod('a', { app: 'orders' }) });
    await core.createNamespacedPod({ namespace: 'shop', body: pod('b', { app: 'cart' }) });
    const listed = await core.listNamespacedPod({ namespace: 'shop', labelSelector: 'app in (orders)' });
    expect(listed.items.map((p) => p.metadata?.name)).to.deep.equal(['a']);
    expect(listed.metadata?.resourceVersion).to.equal(api.store.currentVersion());
    const all = await core.listPodForAllNamespaces({ labelSelector: 'app!=orders' });
    expect(all.items.map((p) => p.metadata?.name)).to.deep.equal(['b']);
    const got = await core.readNamespacedPod({ namespace: 'shop', name: 'a' });
    expect(got.metadata?.uid).to.be.a('string');
    await core.deleteNamespacedPod({ namespace: 'shop', name: 'a' });
    const error = await core
      .readNamespacedPod({ namespace: 'shop', name: 'a' })
      .catch((e: { code: number }) => e);
    expect(error).to.have.property('code', 404);
  });

  it('answers 409 to a create of an existing name and to an update with a stale resourceVersion', async () => {
    const core = api.kubeConfig.makeApiClient(CoreV1Api);
    const created = await core.createNamespacedConfigMap({
      namespace: 'shop',
      body: { metadata: { name: 'c' }, data: { k: '1' } },
    });
    const again = await core
      .createNamespacedConfigMap({ namespace: 'shop', body: { metadata: { name: 'c' } } })
      .catch((e: { code: number }) => e);
    expect(again).to.have.property('code', 409);
    await core.replaceNamespacedConfigMap({
      namespace: 'shop',
      name: 'c',
      body: { ...created, data: { k: '2' } },
    });
    const stale = await core
      .replaceNamespacedConfigMap({ namespace: 'shop', name: 'c', body: { ...created, data: { k: '3' } } })
      .catch((e: { code: number }) => e);
    expect(stale).to.have.property('code', 409);
    expect(api.get('v1', 'ConfigMap', 'shop', 'c')?.['data']).to.deep.equal({ k: '2' });
  });

  it('splits writes at the status subresource and bumps generation on spec changes only', async () => {
    const custom = api.kubeConfig.makeApiClient(CustomObjectsApi);
    const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
    await custom.createNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace: 'shop',
      plural: PLURAL,
      body: policy('p'),
    });
    const name = { group: GROUP, version: VERSION, namespace: 'shop', plural: PLURAL, name: 'p' };
    await custom.patchNamespacedCustomObjectStatus(
      { ...name, body: { status: { observedGeneration: 1 }, spec: { mode: 'Audit' } } },
      merge,
    );
    let stored = api.get(`${GROUP}/${VERSION}`, 'ApiSecurityPolicy', 'shop', 'p') as {
      spec: unknown;
      status: unknown;
      metadata: { generation: number };
    };
    expect(stored.spec).to.deep.equal({ mode: 'Enforce' });
    expect(stored.status).to.deep.equal({ observedGeneration: 1 });
    expect(stored.metadata.generation).to.equal(1);
    await custom.patchNamespacedCustomObject(
      { ...name, body: { spec: { mode: 'Audit' }, status: { observedGeneration: 9 } } },
      merge,
    );
    stored = api.get(`${GROUP}/${VERSION}`, 'ApiSecurityPolicy', 'shop', 'p') as typeof stored;
    expect(stored.spec).to.deep.equal({ mode: 'Audit' });
    expect(stored.status).to.deep.equal({ observedGeneration: 1 });
    expect(stored.metadata.generation).to.equal(2);
    const before = api.store.currentVersion();
    await custom.patchNamespacedCustomObjectStatus(
      { ...name, body: { status: { observedGeneration: 1 } } },
      merge,
    );
    expect(api.store.currentVersion(), 'a no-op write changes nothing').to.equal(before);
    await custom.patchNamespacedCustomObjectStatus({
      ...name,
      body: [{ op: 'replace', path: '/status/observedGeneration', value: 2 }],
    });
    expect(
      (api.get(`${GROUP}/${VERSION}`, 'ApiSecurityPolicy', 'shop', 'p') as typeof stored).status,
    ).to.deep.equal({ observedGeneration: 2 });
  });

  it('streams watch events from a resourceVersion and ends a compacted one with 410', async () => {
    const core = api.kubeConfig.makeApiClient(CoreV1Api);
    await core.createNamespacedPod({ namespace: 'shop', body: pod('a') });
    const from = api.store.currentVersion();
    await core.createNamespacedPod({ namespace: 'shop', body: pod('b') });
    const live = await watchPods(api, from);
    await api.until(() => api.watchCount('pods') === 1);
    await core.patchNamespacedPod(
      { namespace: 'shop', name: 'a', body: { metadata: { labels: { x: 'y' } } } },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
    await core.deleteNamespacedPod({ namespace: 'shop', name: 'b' });
    api.compact();
    expect(api.dropWatches()).to.equal(1);
    await live.done;
    expect(live.seen).to.deep.equal([
      { type: 'ADDED', name: 'b', code: undefined },
      { type: 'MODIFIED', name: 'a', code: undefined },
      { type: 'DELETED', name: 'b', code: undefined },
    ]);
    const expired = await watchPods(api, from);
    await expired.done;
    expect(expired.seen).to.deep.equal([{ type: 'ERROR', name: '', code: 410 }]);
  });

  it('keeps a client-node informer in sync through a relist after 410 Gone', async () => {
    const core = api.kubeConfig.makeApiClient(CoreV1Api);
    await core.createNamespacedPod({ namespace: 'shop', body: pod('a') });
    const informer = makeInformer(api.kubeConfig, '/api/v1/namespaces/shop/pods', () =>
      core.listNamespacedPod({ namespace: 'shop' }),
    );
    const names = (): string[] =>
      informer
        .list()
        .map((p: KubernetesObject) => p.metadata?.name ?? '')
        .sort();
    await informer.start();
    await api.until(() => api.watchCount('pods') === 1);
    expect(names()).to.deep.equal(['a']);
    api.compact();
    api.dropWatches();
    api.put({ apiVersion: 'v1', kind: 'Pod', ...pod('b') });
    await api.until(
      () =>
        api.watchCount('pods') === 1 &&
        api.requests.filter(
          (r) => r.method === 'GET' && r.path.endsWith('/pods') && r.query['watch'] === undefined,
        ).length === 2,
    );
    await informer.stop();
    expect(names()).to.deep.equal(['a', 'b']);
  });

  it('answers scripted TokenReviews to the project verifier', async () => {
    api.tokens.allow('good-token', 'shop', 'orders');
    const verify = tokenReviewVerifier({ kubeConfig: api.kubeConfig });
    expect(await verify('good-token')).to.deep.equal({ namespace: 'shop', serviceAccount: 'orders' });
    expect(await verify('bad-token')).to.be.instanceOf(Error);
    api.tokens.allow('other-audience', 'shop', 'orders', ['api']);
    expect(await verify('other-audience')).to.be.instanceOf(Error);
  });

  it('injects failures, records requests and refuses requests without the token', async () => {
    const leases = api.kubeConfig.makeApiClient(CoordinationV1Api);
    api.failNext(1, { method: 'POST', path: '/leases', code: 503 });
    const body = { metadata: { name: 'aspen-leader' }, spec: { holderIdentity: 'r1' } };
    const failed = await leases
      .createNamespacedLease({ namespace: 'shop', body })
      .catch((e: { code: number }) => e);
    expect(failed).to.have.property('code', 503);
    await leases.createNamespacedLease({ namespace: 'shop', body });
    const posts = api.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/leases'));
    expect(posts).to.have.length(2);
    expect(posts[1]?.body).to.have.nested.property('spec.holderIdentity', 'r1');
    const anonymous = await fetch(`${api.url}/api/v1/namespaces`);
    expect(anonymous.status).to.equal(401);
  });

  it('collects objects whose owners are gone', () => {
    const owner = api.put(policy('p'));
    const uid = (owner['metadata'] as { uid: string }).uid;
    api.put({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: {
        name: 'np',
        namespace: 'shop',
        ownerReferences: [{ apiVersion: `${GROUP}/${VERSION}`, kind: 'ApiSecurityPolicy', name: 'p', uid }],
      },
      spec: {},
    });
    expect(api.collectGarbage()).to.equal(0);
    api.remove(`${GROUP}/${VERSION}`, 'ApiSecurityPolicy', 'shop', 'p');
    expect(api.collectGarbage()).to.equal(1);
    expect(api.list('networking.k8s.io/v1', 'NetworkPolicy')).to.deep.equal([]);
  });

  it('can issue opaque resourceVersions', async () => {
    const opaque = await startFakeApiServer({ opaqueResourceVersions: true });
    try {
      const stored = opaque.put({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'x' } });
      expect((stored['metadata'] as { resourceVersion: string }).resourceVersion).to.match(/^rv-/);
      const core = opaque.kubeConfig.makeApiClient(CoreV1Api);
      expect((await core.listNamespace()).items).to.have.length(1);
    } finally {
      await opaque.close();
    }
  });
});
