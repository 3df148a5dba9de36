/** The outbound side is translated once per content and shared between proxies and across rebuilds (ADR 0035). */
import { expect } from 'chai';
import { defaultXdsConfig } from '../../../src/xds/translate/config.js';
import { ContentMemo } from '../../../src/xds/translate/memo.js';
import { sharedOutbound } from '../../../src/xds/translate/shared-outbound.js';
import { meshService } from './fixtures.js';

const config = defaultXdsConfig('cluster.local');

const service = meshService;

describe('shared outbound side', () => {
  it('gives equal content the same objects, whichever arrays carry it', () => {
    const a = sharedOutbound([service('a1'), service('b1')], config, 'shop');
    const b = sharedOutbound([service('a1'), service('b1')], config, 'shop');
    expect(b).to.equal(a);
  });

  it('translates each caller namespace apart (short host names differ)', () => {
    const services = [service('a2'), service('b2')];
    expect(sharedOutbound(services, config, 'shop')).to.not.equal(sharedOutbound(services, config, 'ops'));
  });

  it('shares the clusters of overlapping scopes', () => {
    const narrow = sharedOutbound([service('a3')], config, 'shop');
    const wide = sharedOutbound([service('a3'), service('b3')], config, 'shop');
    const cluster = (side: typeof narrow): unknown =>
      side.clusters.find((c) => c.name === 'outbound|80|a3.shop.svc.cluster.local');
    expect(cluster(narrow)).to.not.equal(undefined);
    expect(cluster(wide)).to.equal(cluster(narrow));
    expect(wide.clusters.map((c) => c.name)).to.include('outbound|80|b3.shop.svc.cluster.local');
  });

  it('shares a service virtual host between scopes that list it (the check walks it once)', () => {
    const [a, b, c] = [service('a5'), service('b5'), service('c5')];
    const one = sharedOutbound([a, b], config, 'shop').routes[0];
    const two = sharedOutbound([a, c], config, 'shop').routes[0];
    expect(one?.virtualHosts[0]?.name).to.equal('a5.shop.svc.cluster.local');
    expect(two?.virtualHosts[0]).to.equal(one?.virtualHosts[0]);
    expect(two?.virtualHosts[1]).to.not.equal(one?.virtualHosts[1]);
    const other = sharedOutbound([a, b], config, 'ops').routes[0];
    expect(other?.virtualHosts[0]).to.not.equal(one?.virtualHosts[0]); // short name `a5` only from shop
  });

  it('translates changed content again (no stale hit)', () => {
    const before = sharedOutbound([service('a4')], config, 'shop');
    const after = sharedOutbound([service('a4', 'spiffe://cluster.local/ns/shop/sa/other')], config, 'shop');
    expect(after).to.not.equal(before);
    expect(after.clusters[0]).to.not.equal(before.clusters[0]);
    const tls = after.clusters[0]?.transportSocket?.configType;
    const bytes = tls?.$case === 'typedConfig' ? tls.value.value : new Uint8Array();
    expect(Buffer.from(bytes).toString('latin1')).to.include('sa/other');
  });
});

describe('ContentMemo weights', () => {
  it('computes once per key and forgets the least recently used beyond its weight', () => {
    const memo = new ContentMemo<string>(3);
    let made = 0;
    const get = (key: string, weight = 1): string =>
      memo.get(
        key,
        () => {
          made += 1;
          return `${key}${made}`;
        },
        weight,
      );
    expect(get('a')).to.equal('a1');
    expect(get('b')).to.equal('b2');
    expect(get('a')).to.equal('a1');
    expect(get('c')).to.equal('c3');
    expect(get('d')).to.equal('d4'); // over weight 3: b (least recently used) goes
    expect(memo.size).to.equal(3);
    expect(get('a')).to.equal('a1');
    expect(get('b')).to.equal('b5');
  });

  it('keeps an entry heavier than its whole weight, alone', () => {
    const memo = new ContentMemo<number>(2);
    memo.get('x', () => 1);
    expect(memo.get('big', () => 2, 10)).to.equal(2);
    expect(memo.size).to.equal(1);
    expect(memo.get('big', () => 3, 10)).to.equal(2);
  });
});
