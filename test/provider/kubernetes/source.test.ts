import { expect } from 'chai';
import { startFakeApiServer } from '../../support/fake-apiserver/index.js';
import type { FakeApiServer } from '../../support/fake-apiserver/index.js';
import type { ResourceSnapshot } from '../../../src/provider/snapshot.js';
import { endpointSlice, eventually, exampleObjects, podOf, seedExamples, testSource } from './fixtures.js';
import type { TestSource } from './fixtures.js';

const ASP = 'aspen.dev/v1alpha1';

async function snapshotOf(t: TestSource): Promise<ResourceSnapshot> {
  const read = await t.source.read();
  if (!read.ok) throw new Error(read.problems.join('; '));
  return read.snapshot;
}

const names = (list: { namespace: string; name: string }[]): string[] =>
  list.map((o) => `${o.namespace}/${o.name}`);

describe('kubernetes provider (fake API server, real client-node)', () => {
  let api: FakeApiServer;
  let t: TestSource;

  for (const opaque of [false, true]) {
    describe(opaque ? 'with opaque resourceVersions' : 'with numeric resourceVersions', () => {
      beforeEach(async () => {
        api = await startFakeApiServer({ opaqueResourceVersions: opaque });
        await seedExamples(api);
        t = testSource(api);
        t.source.start((change) => t.changes.push(change));
      });
      afterEach(async () => {
        t.source.close();
        await api.close();
      });

      it('reads the cluster as the file provider reads the same objects: workloads from pods, referenced data only', async () => {
        api.put({
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: { name: 'unrelated', namespace: 'shop' },
          stringData: { k: 'v' },
        });
        const snapshot = await snapshotOf(t);
        expect(names(snapshot.policies)).to.deep.equal(['shop/frontend', 'shop/orders-api', 'shop/payments']);
        expect(snapshot.workloads.map((w) => [w.name, w.kind, w.pods, w.source])).to.deep.equal([
          ['frontend', 'Deployment', [`frontend-7d9f8-p0`], undefined],
          ['orders', 'Deployment', [`orders-7d9f8-p0`], undefined],
          ['payments', 'Deployment', [`payments-7d9f8-p0`], undefined],
        ]);
        expect(names(snapshot.secrets)).to.not.include('shop/unrelated');
        expect(snapshot.secrets.length + snapshot.configMaps.length).to.be.greaterThan(0);
      });

      it('follows creates, updates and deletes', async () => {
        await t.source.whenSynced();
        const before = t.changes.length;
        const orders = (await exampleObjects()).find(
          (o) => (o['metadata'] as { name: string }).name === 'orders' && o['kind'] === 'Deployment',
        );
        if (orders === undefined) throw new Error('no orders deployment in examples');
        api.put(podOf(orders, 1));
        api.remove(ASP, 'ApiSecurityPolicy', 'shop', 'payments');
        await eventually(() => t.changes.length >= before + 2, 'two changes');
        const snapshot = await snapshotOf(t);
        expect(snapshot.workloads.find((w) => w.name === 'orders')?.pods).to.deep.equal([
          'orders-7d9f8-p0',
          'orders-7d9f8-p1',
        ]);
        expect(names(snapshot.policies)).to.deep.equal(['shop/frontend', 'shop/orders-api']);
        expect(t.changes.every((c) => c === 'full')).to.equal(true);
      });

      it('classifies endpoint-only, irrelevant and unreferenced changes', async () => {
        await t.source.whenSynced();
        t.changes.length = 0;
        api.put(endpointSlice('orders', ['10.0.0.10']));
        await eventually(() => t.changes.length === 1, 'the EndpointSlice change');
        expect(t.changes).to.deep.equal(['endpoints']);
        const pod = api.get('v1', 'Pod', 'shop', 'orders-7d9f8-p0');
        api.put({ ...pod, status: { phase: 'Running', podIP: '10.0.0.99' } });
        api.put({
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: 'nobody-uses-me', namespace: 'shop' },
          data: { a: 'b' },
        });
        api.put(endpointSlice('orders', ['10.0.0.10', '10.0.0.11']));
        await eventually(() => t.changes.length === 2, 'the second EndpointSlice change');
        expect(t.changes, 'a pod status change and an unreferenced ConfigMap change nothing').to.deep.equal([
          'endpoints',
          'endpoints',
        ]);
        const slices = (await snapshotOf(t)).endpointSlices;
        expect(slices).to.deep.equal([
          {
            namespace: 'shop',
            name: 'orders-abcde',
            service: 'orders',
            addressType: 'IPv4',
            ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
            endpoints: [
              { addresses: ['10.0.0.10'], ready: true },
              { addresses: ['10.0.0.11'], ready: true },
            ],
          },
        ]);
      });

      it('relists after 410 Gone and reports what changed while it was not watching', async () => {
        await t.source.whenSynced();
        await api.until(() => api.watchCount() === 7);
        api.compact();
        api.dropWatches();
        api.remove(ASP, 'ApiSecurityPolicy', 'shop', 'frontend');
        await eventually(
          () => t.source.lists()['policies'] === 2 && api.watchCount() === 7,
          'a relist of every type',
        );
        expect(names((await snapshotOf(t)).policies)).to.deep.equal(['shop/orders-api', 'shop/payments']);
        expect(t.logs.some((l) => l.message.includes('410'))).to.equal(true);
      });

      it('recovers after the server drops connections abruptly, with backoff', async () => {
        await t.source.whenSynced();
        await api.until(() => api.watchCount() === 7);
        api.failNext(7, { watch: true, code: 500 });
        api.dropWatches({ abrupt: true });
        await eventually(() => t.timers.waiting === 7, 'seven backoff timers');
        api.remove(ASP, 'ApiSecurityPolicy', 'shop', 'orders-api');
        t.timers.advance(1000);
        // The relists succeed; the next watches fail (injected 500) and back off again.
        await eventually(
          () => t.source.lists()['pods'] === 2 && t.timers.waiting === 7,
          'relists, then backoff',
        );
        expect(api.watchCount()).to.equal(0);
        t.timers.advance(1000);
        await eventually(() => api.watchCount() === 7, 'every watch re-opened');
        expect(names((await snapshotOf(t)).policies)).to.deep.equal(['shop/frontend', 'shop/payments']);
        expect(t.logs.filter((l) => l.level === 'warn').length).to.be.greaterThan(0);
      });
    });
  }

  describe('before sync', () => {
    beforeEach(async () => {
      api = await startFakeApiServer();
      await seedExamples(api);
    });
    afterEach(async () => api.close());

    it('publishes nothing until every informer has listed, retrying failed lists with backoff', async () => {
      api.failNext(3, { path: '/endpointslices', watch: false, code: 503 });
      t = testSource(api);
      let read: boolean | undefined;
      t.source.start(() => undefined);
      void t.source.read().then((r) => (read = r.ok));
      await eventually(() => t.timers.waiting === 1, 'the first backoff');
      expect(t.source.synced).to.equal(false);
      expect(read).to.equal(undefined);
      t.timers.advance(1000);
      await eventually(
        () =>
          t.timers.waiting === 1 &&
          api.requests.filter((r) => r.path.endsWith('/endpointslices')).length === 2,
        'the second backoff',
      );
      t.timers.advance(2000);
      await eventually(
        () =>
          t.timers.waiting === 1 &&
          api.requests.filter((r) => r.path.endsWith('/endpointslices')).length === 3,
        'the third backoff',
      );
      expect(read).to.equal(undefined);
      t.timers.advance(4000);
      await eventually(() => read !== undefined, 'the read');
      expect(read).to.equal(true);
      t.source.close();
    });

    it('a read pending at close resolves with a problem', async () => {
      api.failNext(1, { path: '/pods', watch: false, code: 500 });
      t = testSource(api);
      t.source.start(() => undefined);
      const pending = t.source.read();
      t.source.close();
      expect(await pending).to.deep.equal({
        ok: false,
        problems: ['the Kubernetes provider stopped before it synced'],
      });
    });
  });
});
