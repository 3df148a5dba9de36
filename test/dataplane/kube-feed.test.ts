// The cluster feed of `aspen dataplane` against a stub API server, read through @kubernetes/client-node: the first
// list builds the state (valid policies only, referenced Secrets hashed), a rotated key is picked up on the next
// resync, a deleted Secret drops its keys, and a transient read error keeps the last hashes.
import { expect } from 'chai';
import { KeyHasher, matchHash } from '../../src/dataplane/key-hash.js';
import { KubeFeed } from '../../src/dataplane/kube-feed.js';
import { StateHolder } from '../../src/dataplane/state.js';
import { silentLogger } from '../../src/xds/server/types.js';
import { FakeTimers } from '../serve/fixtures.js';
import { StubApi } from './stub-api.js';

describe('dataplane: cluster feed', function () {
  this.timeout(20000);
  let api: StubApi;
  let feed: KubeFeed;
  const hasher = new KeyHasher();
  const holder = new StateHolder();

  function knows(key: string): boolean {
    const client = holder.current.clients.get('shop/p/a');
    return client !== undefined && matchHash(hasher.hash(key), [client.hash]) === 0;
  }

  before(async () => {
    api = new StubApi();
    api.secrets.set('shop/keys', { a: 'first-key' });
    feed = new KubeFeed({
      kubeconfig: await api.start(),
      trustDomain: 'cluster.local',
      hasher,
      holder,
      timers: new FakeTimers(),
      logger: silentLogger,
    });
    await feed.start();
  });

  after(() => {
    feed.stop();
    api.stop();
  });

  it('builds the state from the valid policies and the referenced Secrets', () => {
    expect(holder.isReady).to.equal(true);
    expect([...holder.current.clients.keys()]).to.deep.equal(['shop/p/a']);
    expect(holder.current.limits.get('shop/p/g')).to.deep.include({
      requests: 5,
      intervalMs: 1000,
      failureMode: 'Open',
    });
    expect(knows('first-key')).to.equal(true);
    expect(knows('other')).to.equal(false);
  });

  it('picks up a rotated key on the next rebuild, keeps the last hashes on a transient error, drops a deleted Secret', async () => {
    api.secrets.set('shop/keys', { a: 'second-key' });
    await feed.rebuild();
    expect(knows('second-key')).to.equal(true);
    expect(knows('first-key')).to.equal(false);
    api.secrets.set('shop/keys', 503);
    await feed.rebuild();
    expect(knows('second-key')).to.equal(true);
    api.secrets.delete('shop/keys');
    await feed.rebuild();
    expect(knows('second-key')).to.equal(false);
    expect(holder.current.clients.get('shop/p/a')?.hash).to.equal(undefined);
  });
});
