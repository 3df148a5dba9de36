// The per-proxy snapshot cache: content versions, sharing of identical content, change notification.
import { expect } from 'chai';
import { Cluster } from '../../../src/gen/envoy/config/cluster/v3/cluster.js';
import {
  SnapshotCache,
  SnapshotError,
  buildTypeSnapshot,
  typeSnapshotOf,
} from '../../../src/xds/cache/index.js';
import type { EncodedResource, Snapshot } from '../../../src/xds/cache/index.js';
import { Listener } from '../../../src/gen/envoy/config/listener/v3/listener.js';
import { packAny } from '../../../src/xds/proto/any.js';

const CDS = 'type.googleapis.com/envoy.config.cluster.v3.Cluster';
const LDS = 'type.googleapis.com/envoy.config.listener.v3.Listener';

function cluster(name: string, tag = ''): EncodedResource {
  return { name, encoded: packAny(Cluster.fromPartial({ name, altStatName: tag })) };
}

function listener(name: string): EncodedResource {
  return { name, encoded: packAny(Listener.fromPartial({ name })) };
}

describe('xds/cache', () => {
  describe('content versions', () => {
    it('depend on content, not on order or on the objects', () => {
      const one = buildTypeSnapshot(CDS, [cluster('a'), cluster('b')]);
      const two = buildTypeSnapshot(CDS, [cluster('b'), cluster('a')]);
      expect(one.version).to.equal(two.version);
      expect(one.resources.map((r) => r.name)).to.deep.equal(['a', 'b']);
      expect(buildTypeSnapshot(CDS, [cluster('a'), cluster('b', 'x')]).version).to.not.equal(one.version);
      expect(buildTypeSnapshot(CDS, [cluster('a')]).version).to.not.equal(one.version);
    });

    it('an absent type is an empty set with a stable version', () => {
      const empty: Snapshot = { types: new Map() };
      const type = typeSnapshotOf(empty, CDS);
      expect(type.resources).to.deep.equal([]);
      expect(type.version).to.equal(buildTypeSnapshot(CDS, []).version);
      expect(type.version).to.not.equal(buildTypeSnapshot(LDS, []).version);
    });

    it('inconsistent input throws SnapshotError and leaves the previous snapshot', () => {
      const cache = new SnapshotCache();
      const { snapshot } = cache.setSnapshot('ns/w', { [CDS]: [cluster('a')] });
      expect(() => cache.setSnapshot('ns/w', { [CDS]: [cluster('a'), cluster('a', 'x')] })).to.throw(
        SnapshotError,
        'appears twice',
      );
      expect(() => cache.setSnapshot('ns/w', { [LDS]: [cluster('a')] })).to.throw(SnapshotError, 'holds');
      expect(() => cache.setSnapshot('ns/w', { [CDS]: [cluster('')] })).to.throw(SnapshotError, 'empty name');
      expect(cache.getSnapshot('ns/w')).to.equal(snapshot);
    });
  });

  describe('SnapshotCache', () => {
    it('shares one type snapshot between proxies with identical content, and releases it', () => {
      const cache = new SnapshotCache();
      const web = cache.setSnapshot('shop/web', { [CDS]: [cluster('a')], [LDS]: [] }).snapshot;
      const api = cache.setSnapshot('shop/api', { [CDS]: [cluster('a')], [LDS]: [] }).snapshot;
      expect(api.types.get(CDS)).to.equal(web.types.get(CDS));
      expect(cache.sharedTypeCount()).to.equal(2);

      cache.setSnapshot('shop/api', { [CDS]: [cluster('a', 'api')], [LDS]: [] });
      expect(cache.sharedTypeCount()).to.equal(3);
      cache.deleteSnapshot('shop/web');
      expect(cache.sharedTypeCount()).to.equal(2);
      expect(cache.proxyKeys()).to.deep.equal(['shop/api']);
    });

    it('reports the changed types and tells watchers only about real changes', () => {
      const cache = new SnapshotCache();
      const seen: (Snapshot | undefined)[] = [];
      const unsubscribe = cache.watch('shop/web', (snapshot) => seen.push(snapshot));
      cache.watch('shop/api', () => expect.fail('another proxy was notified'));

      expect(cache.setSnapshot('shop/web', { [CDS]: [cluster('a')] }).changedTypes).to.deep.equal([CDS]);
      expect(cache.setSnapshot('shop/web', { [CDS]: [cluster('a')] }).changedTypes).to.deep.equal([]);
      expect(cache.setSnapshot('shop/web', { [CDS]: [cluster('a')], [LDS]: [] }).changedTypes).to.deep.equal(
        [],
      );
      const changed = cache.setSnapshot('shop/web', { [CDS]: [cluster('a')], [LDS]: [listener('x')] });
      expect(changed.changedTypes).to.deep.equal([LDS]);
      expect(seen).to.have.length(2);
      expect(seen[1]).to.equal(changed.snapshot);

      cache.deleteSnapshot('shop/web');
      expect(seen).to.have.length(3);
      expect(seen[2]).to.equal(undefined);

      unsubscribe();
      unsubscribe();
      cache.setSnapshot('shop/web', { [CDS]: [] });
      expect(seen).to.have.length(3);
    });

    it('keeps caches independent (no module-level state)', () => {
      const one = new SnapshotCache();
      const two = new SnapshotCache();
      one.setSnapshot('shop/web', { [CDS]: [cluster('a')] });
      expect(two.getSnapshot('shop/web')).to.equal(undefined);
    });
  });
});
