import { expect } from 'chai';
import { durationMs, parseDuration } from '../../src/translate/duration.js';

describe('parseDuration', () => {
  it('reads each unit', () => {
    expect(parseDuration('500ms')).to.equal(500);
    expect(parseDuration('5s')).to.equal(5_000);
    expect(parseDuration('10m')).to.equal(600_000);
    expect(parseDuration('2h')).to.equal(7_200_000);
  });
  it('adds up compound durations', () => {
    expect(parseDuration('1h30m')).to.equal(5_400_000);
    expect(parseDuration('1m30s250ms')).to.equal(90_250);
  });
  it('reads fractions, rounded to the millisecond', () => {
    expect(parseDuration('1.5s')).to.equal(1_500);
    expect(parseDuration('0.0004s')).to.equal(0);
  });
  it('tells ms apart from m', () => {
    expect(parseDuration('1m')).to.equal(60_000);
    expect(parseDuration('1ms')).to.equal(1);
  });
  it('refuses anything else', () => {
    for (const text of ['', '10', 'm', '5 s', '1d', '-1s', '1s ', 'PT5S', '1.s']) {
      expect(parseDuration(text), text).to.equal(undefined);
    }
  });
});

describe('durationMs', () => {
  it('uses the value when present, the fallback otherwise', () => {
    expect(durationMs('5s', '1m')).to.equal(5_000);
    expect(durationMs(undefined, '1m')).to.equal(60_000);
    expect(durationMs('bogus', '1m')).to.equal(60_000);
  });
});
