import { expect } from 'chai';
import type { LabelSelector } from '../../src/api/v1alpha1/types.js';
import { readSelector, selectorMatches } from '../../src/translate/select.js';

const orders = { app: 'orders', tier: 'backend' };
const frontend = { app: 'frontend' };

function selects(selector: LabelSelector, labels: Record<string, string>): boolean {
  return selectorMatches(selector, labels);
}

describe('selectorMatches', () => {
  it('{} selects every workload, even one without labels', () => {
    expect(selects({}, orders)).to.equal(true);
    expect(selects({}, {})).to.equal(true);
  });
  it('matchLabels needs every pair', () => {
    expect(selects({ matchLabels: { app: 'orders' } }, orders)).to.equal(true);
    expect(selects({ matchLabels: { app: 'orders', tier: 'frontend' } }, orders)).to.equal(false);
    expect(selects({ matchLabels: { app: 'orders' } }, frontend)).to.equal(false);
  });
  it('In: the key is present with one of the values', () => {
    const sel: LabelSelector = {
      matchExpressions: [{ key: 'app', operator: 'In', values: ['orders', 'cart'] }],
    };
    expect(selects(sel, orders)).to.equal(true);
    expect(selects(sel, frontend)).to.equal(false);
    expect(selects(sel, {})).to.equal(false);
  });
  it('NotIn: the key is absent or has none of the values', () => {
    const sel: LabelSelector = { matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['orders'] }] };
    expect(selects(sel, orders)).to.equal(false);
    expect(selects(sel, frontend)).to.equal(true);
    expect(selects(sel, {})).to.equal(true);
  });
  it('Exists: the key is present, whatever its value', () => {
    const sel: LabelSelector = { matchExpressions: [{ key: 'tier', operator: 'Exists' }] };
    expect(selects(sel, orders)).to.equal(true);
    expect(selects(sel, frontend)).to.equal(false);
  });
  it('DoesNotExist: the key is absent', () => {
    const sel: LabelSelector = { matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' }] };
    expect(selects(sel, orders)).to.equal(false);
    expect(selects(sel, frontend)).to.equal(true);
  });
  it('ANDs matchLabels and every expression', () => {
    const sel: LabelSelector = {
      matchLabels: { app: 'orders' },
      matchExpressions: [
        { key: 'tier', operator: 'Exists' },
        { key: 'tier', operator: 'NotIn', values: ['frontend'] },
      ],
    };
    expect(selects(sel, orders)).to.equal(true);
    expect(selects(sel, { app: 'orders' })).to.equal(false);
    expect(selects(sel, { app: 'orders', tier: 'frontend' })).to.equal(false);
  });
  it('does not see inherited object properties as labels', () => {
    const sel: LabelSelector = { matchExpressions: [{ key: 'constructor', operator: 'Exists' }] };
    expect(selects(sel, {})).to.equal(false);
  });
});

describe('readSelector', () => {
  it('reads a well-formed selector', () => {
    const value = { matchLabels: { app: 'orders' }, matchExpressions: [{ key: 'tier', operator: 'Exists' }] };
    expect(readSelector(value)).to.deep.equal(value);
    expect(readSelector({})).to.deep.equal({});
  });
  it('refuses anything that is not shaped like a selector', () => {
    const bad: unknown[] = [
      undefined,
      'app=orders',
      [],
      { matchLabels: { app: 1 } },
      { matchLabels: ['app'] },
      { matchExpressions: {} },
      { matchExpressions: [{ key: 'a', operator: 'Equals' }] },
      { matchExpressions: [{ key: 'a', operator: 'In', values: 'x' }] },
    ];
    for (const value of bad) expect(readSelector(value), JSON.stringify(value)).to.equal(undefined);
  });
});
