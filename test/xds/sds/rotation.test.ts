import { expect } from 'chai';
import { delayUntilWake, planRotation } from '../../../src/xds/sds/rotation.js';
import { HOUR, T0, at } from '../../ca/fixtures.js';

const in_ = (ms: number): Date => new Date(T0.getTime() + ms);

describe('sds planRotation', () => {
  const issued = [
    { proxyKey: 'shop/orders', renewAt: in_(12 * HOUR) },
    { proxyKey: 'shop/payments', renewAt: in_(6 * HOUR) },
    { proxyKey: 'shop/frontend', renewAt: in_(20 * HOUR) },
  ];

  it('nothing is due before the first renewal; wakes at the earliest', () => {
    const plan = planRotation(issued, at(HOUR));
    expect(plan.due).to.deep.equal([]);
    expect(plan.nextWakeAt).to.deep.equal(in_(6 * HOUR));
    expect(delayUntilWake(plan, at(HOUR))).to.equal(5 * HOUR);
  });

  it('reports every proxy whose renewal has passed, sorted, and the next one after them', () => {
    const plan = planRotation(issued, at(12 * HOUR));
    expect(plan.due).to.deep.equal(['shop/orders', 'shop/payments']);
    expect(plan.nextWakeAt).to.deep.equal(in_(20 * HOUR));
  });

  it('has no wake-up when everything is due or nothing was issued', () => {
    expect(planRotation(issued, at(30 * HOUR)).nextWakeAt).to.equal(undefined);
    const empty = planRotation([], at(0));
    expect(empty).to.deep.equal({ due: [], nextWakeAt: undefined });
    expect(delayUntilWake(empty, at(0))).to.equal(undefined);
  });
});
