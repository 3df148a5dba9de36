import { expect } from 'chai';
import type { RawPolicy } from '../../src/provider/snapshot.js';
import { keepLastGood } from '../../src/serve/last-good.js';

function raw(name: string, spec: Record<string, unknown>): RawPolicy {
  const object = {
    apiVersion: 'aspen.dev/v1alpha1',
    kind: 'ApiSecurityPolicy',
    metadata: { name, namespace: 'shop' },
    spec,
  };
  return {
    namespace: 'shop',
    name,
    apiVersion: 'aspen.dev/v1alpha1',
    kind: 'ApiSecurityPolicy',
    generation: 0,
    object,
  };
}

const valid = raw('orders', { selector: {} });
const invalid = raw('orders', { selector: {}, mtls: { mode: 'strict' } });

describe('serve: the last valid version of each policy', () => {
  it('remembers valid policies and uses them as they are', () => {
    const result = keepLastGood([valid], new Map());
    expect(result.policies).to.deep.equal([valid]);
    expect([...result.lastGood.keys()]).to.deep.equal(['shop/orders']);
    expect(result.refused).to.deep.equal([]);
  });

  it('refuses an invalid edit of a valid policy: the last valid version stays, with the problems reported', () => {
    const result = keepLastGood([invalid], new Map([['shop/orders', valid]]));
    expect(result.policies).to.deep.equal([valid]);
    expect(result.lastGood.get('shop/orders')).to.equal(valid);
    expect(result.refused).to.deep.equal([
      { policy: 'shop/orders', problems: ['spec.mtls.mode: must be one of: STRICT, PERMISSIVE, DISABLE'] },
    ]);
  });

  it('keeps a policy that was never valid as it is, so it fails closed', () => {
    const result = keepLastGood([invalid], new Map());
    expect(result.policies).to.deep.equal([invalid]);
    expect(result.lastGood.size).to.equal(0);
    expect(result.refused).to.deep.equal([]);
  });

  it('forgets policies that left the directory', () => {
    expect(keepLastGood([], new Map([['shop/orders', valid]])).lastGood.size).to.equal(0);
  });
});
