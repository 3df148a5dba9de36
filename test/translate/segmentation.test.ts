import { expect } from 'chai';
import { snapshot } from '../fixtures/snapshot.js';
import { portOf, run } from '../fixtures/translate.js';

/** Workloads in three namespaces; `shop/orders` is segmented by policy `shop/p` with these peers. */
function segmented(allowFrom: Record<string, unknown>[]): ReturnType<typeof run> {
  return run(
    snapshot()
      .namespace('shop', { team: 'shop' })
      .namespace('web', { team: 'shop', edge: 'true' })
      .namespace('ops', {})
      .workload('shop', 'orders', { app: 'orders' }, [8080])
      .serviceAccount('orders')
      .workload('shop', 'cart', { app: 'cart' }, [8080])
      .serviceAccount('cart')
      .workload('web', 'frontend', { app: 'frontend' }, [80])
      .serviceAccount('frontend')
      .workload('web', 'frontend-canary', { app: 'frontend' }, [80])
      .serviceAccount('frontend')
      .workload('ops', 'backup', { app: 'backup' }, [])
      .serviceAccount('backup')
      .policy('shop', 'p', { selector: { matchLabels: { app: 'orders' } }, segmentation: { allowFrom } }),
  );
}

function allowed(allowFrom: Record<string, unknown>[]): string[] | undefined {
  return portOf(segmented(allowFrom), 'shop/orders', 8080).enforce.segmentation?.allowedPrincipals;
}

describe('translate: segmentation peers', () => {
  it('a podSelector alone selects workloads of the policy namespace', () => {
    expect(allowed([{ podSelector: { matchLabels: { app: 'cart' } } }])).to.deep.equal([
      'spiffe://cluster.local/ns/shop/sa/cart',
    ]);
    expect(allowed([{ podSelector: { matchLabels: { app: 'frontend' } } }])).to.deep.equal([]);
  });

  it('a namespaceSelector selects namespaces by label, across namespaces', () => {
    expect(allowed([{ namespaceSelector: { matchLabels: { edge: 'true' } } }])).to.deep.equal([
      'spiffe://cluster.local/ns/web/sa/frontend',
    ]);
  });

  it('both selectors: matching workloads in matching namespaces, IDs sorted and unique', () => {
    expect(
      allowed([
        {
          namespaceSelector: { matchLabels: { team: 'shop' } },
          podSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['frontend', 'cart'] }] },
        },
        { podSelector: { matchLabels: { app: 'cart' } } },
      ]),
    ).to.deep.equal(['spiffe://cluster.local/ns/shop/sa/cart', 'spiffe://cluster.local/ns/web/sa/frontend']);
  });

  it('{} namespaceSelector selects every namespace', () => {
    expect(
      allowed([{ namespaceSelector: {}, podSelector: { matchLabels: { app: 'backup' } } }]),
    ).to.deep.equal(['spiffe://cluster.local/ns/ops/sa/backup']);
  });

  it('an empty allowFrom admits nobody', () => {
    expect(allowed([])).to.deep.equal([]);
  });

  it('names the policies that configured it', () => {
    const port = portOf(segmented([{}]), 'shop/orders', 8080);
    expect(port.enforce.segmentation?.policies).to.deep.equal(['shop/p']);
  });
});
