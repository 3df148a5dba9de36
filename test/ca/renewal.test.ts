import { expect } from 'chai';
import { renewalTime } from '../../src/ca/renewal.js';
import { at, DAY, HOUR, T0 } from './fixtures.js';

const svid = { notBefore: T0, notAfter: new Date(T0.getTime() + DAY) };
const offsetOf = (d: Date): number => d.getTime() - T0.getTime();

describe('ca: renewal timing', () => {
  it('renews at 50 % of the lifetime when the random source picks the middle', () => {
    expect(offsetOf(renewalTime(svid, at(0), () => 0.5))).to.equal(12 * HOUR);
  });

  it('spreads renewals over 50 % ± 10 % of the lifetime, deterministically per random value', () => {
    const cases: Array<[number, number]> = [
      [0, 0.4 * DAY],
      [0.25, 0.45 * DAY],
      [0.75, 0.55 * DAY],
      [0.999, 0.5998 * DAY],
    ];
    for (const [r, expected] of cases) {
      expect(offsetOf(renewalTime(svid, at(0), () => r)), `random ${r}`).to.be.closeTo(expected, 1);
      expect(offsetOf(renewalTime(svid, at(0), () => r)), `repeatable ${r}`).to.equal(
        offsetOf(renewalTime(svid, at(0), () => r)),
      );
    }
  });

  it('stays inside the jitter window for any random value, even out-of-range ones', () => {
    for (const r of [-1, 0, 0.1, 0.33, 0.5, 0.9, 1, 7]) {
      const offset = offsetOf(renewalTime(svid, at(0), () => r));
      expect(offset, `random ${r}`).to.be.within(0.4 * DAY, 0.6 * DAY);
    }
  });

  it('measures the lifetime from notBefore, including the skew backdating', () => {
    const backdated = {
      notBefore: new Date(T0.getTime() - HOUR),
      notAfter: new Date(T0.getTime() + 3 * HOUR),
    };
    expect(offsetOf(renewalTime(backdated, at(0), () => 0.5))).to.equal(HOUR);
  });

  it('accepts a custom point and jitter', () => {
    const t = renewalTime(svid, at(0), () => 1, { at: 0.8, jitter: 0.05 });
    expect(offsetOf(t)).to.be.closeTo(0.85 * DAY, 1);
  });

  it('renews immediately when the planned time has already passed, but never after expiry', () => {
    expect(offsetOf(renewalTime(svid, at(20 * HOUR), () => 0.5))).to.equal(20 * HOUR);
    expect(offsetOf(renewalTime(svid, at(2 * DAY), () => 0.5))).to.equal(DAY);
  });
});
