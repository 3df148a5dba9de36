import { expect } from 'chai';
import { snapshot } from '../fixtures/snapshot.js';
import { portOf, proxyOf, run, statusOf } from '../fixtures/translate.js';

describe('translate: which workloads and ports a policy covers', () => {
  it('selects by label, only in the policy namespace', () => {
    const result = run(
      snapshot()
        .workload('shop', 'orders', { app: 'orders' }, [8080])
        .workload('shop', 'cart', { app: 'cart' }, [8080])
        .workload('web', 'orders', { app: 'orders' }, [8080])
        .policy('shop', 'p', { selector: { matchLabels: { app: 'orders' } } }),
    );
    expect(portOf(result, 'shop/orders', 8080).policies).to.deep.equal(['shop/p']);
    expect(portOf(result, 'shop/cart', 8080).policies).to.deep.equal([]);
    expect(portOf(result, 'web/orders', 8080).policies).to.deep.equal([]);
    expect(statusOf(result, 'shop/p').workloads).to.equal(1);
  });

  it('selects with match expressions', () => {
    const result = run(
      snapshot()
        .workload('shop', 'orders', { app: 'orders', tier: 'api' }, [8080])
        .workload('shop', 'cart', { app: 'cart' }, [8080])
        .policy('shop', 'p', {
          selector: { matchExpressions: [{ key: 'tier', operator: 'Exists' }] },
        }),
    );
    expect(proxyOf(result, 'shop/orders').policies).to.deep.equal(['shop/p']);
    expect(proxyOf(result, 'shop/cart').policies).to.deep.equal([]);
  });

  it('{} selects every workload of the namespace', () => {
    const result = run(
      snapshot()
        .workload('shop', 'orders', { app: 'orders' }, [8080])
        .workload('shop', 'bare', {}, [8080])
        .policy('shop', 'p', { selector: {} }),
    );
    expect(statusOf(result, 'shop/p').workloads).to.equal(2);
  });

  it('covers only the listed ports that are TCP container ports', () => {
    const result = run(
      snapshot()
        .workload('shop', 'orders', { app: 'orders' }, [8080, 9090, { port: 5353, protocol: 'UDP' }])
        .policy('shop', 'p', { selector: {}, ports: [8080, 7070] }),
    );
    expect(portOf(result, 'shop/orders', 8080).policies).to.deep.equal(['shop/p']);
    expect(portOf(result, 'shop/orders', 9090).policies).to.deep.equal([]);
    expect(proxyOf(result, 'shop/orders').ports.map((p) => p.port)).to.deep.equal([8080, 9090]);
  });

  it('covers every TCP container port when ports is omitted', () => {
    const result = run(
      snapshot()
        .workload('shop', 'orders', { app: 'orders' }, [9090, 8080, { port: 53, protocol: 'UDP' }])
        .policy('shop', 'p', { selector: {} }),
    );
    const ports = proxyOf(result, 'shop/orders').ports;
    expect(ports.map((p) => [p.port, p.policies])).to.deep.equal([
      [8080, ['shop/p']],
      [9090, ['shop/p']],
    ]);
  });

  it('counts a workload whose labels match as selected even when none of its ports is covered', () => {
    const result = run(
      snapshot()
        .workload('shop', 'orders', { app: 'orders' }, [8080])
        .policy('shop', 'p', { selector: {}, ports: [9090] }),
    );
    expect(statusOf(result, 'shop/p').workloads).to.equal(1);
    expect(proxyOf(result, 'shop/orders').policies).to.deep.equal(['shop/p']);
    expect(portOf(result, 'shop/orders', 8080).policies).to.deep.equal([]);
  });

  it('gives every workload its key, kind, service account and SPIFFE identity', () => {
    const result = run(
      snapshot()
        .workload('shop', 'orders', {}, [{ port: 8080, name: 'http', protocol: 'TCP' }])
        .kind('StatefulSet')
        .serviceAccount('orders-sa'),
    );
    const proxy = proxyOf(result, 'shop/orders');
    expect(proxy.identity).to.equal('spiffe://cluster.local/ns/shop/sa/orders-sa');
    expect(proxy.workload).to.deep.equal({
      namespace: 'shop',
      name: 'orders',
      kind: 'StatefulSet',
      serviceAccount: 'orders-sa',
    });
    expect(proxy.ports[0]?.name).to.equal('http');
  });

  it('sorts proxies by key and statuses by namespace and name', () => {
    const result = run(
      snapshot()
        .workload('web', 'a', {}, [80])
        .workload('shop', 'b', {}, [80])
        .policy('web', 'x', { selector: {} })
        .policy('shop', 'y', { selector: {} }),
    );
    expect(result.proxies.map((p) => p.key)).to.deep.equal(['shop/b', 'web/a']);
    expect(result.statuses.map((s) => `${s.namespace}/${s.name}`)).to.deep.equal(['shop/y', 'web/x']);
    expect(result.policies.map((p) => p.metadata.name)).to.deep.equal(['y', 'x']);
  });
});
