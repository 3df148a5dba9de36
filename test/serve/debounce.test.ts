import { expect } from 'chai';
import { Debouncer } from '../../src/serve/debounce.js';
import { FakeTimers } from './fixtures.js';

function debouncer(timers: FakeTimers): { d: Debouncer; fired: number[] } {
  const fired: number[] = [];
  const d = new Debouncer({
    quietMs: 200,
    maxDelayMs: 2000,
    timers,
    fire: () => fired.push(timers.now().getTime()),
  });
  return { d, fired };
}

describe('serve debounce', () => {
  it('coalesces a burst into one firing after the quiet period', () => {
    const timers = new FakeTimers();
    const start = timers.now().getTime();
    const { d, fired } = debouncer(timers);
    d.trigger();
    timers.advance(50);
    d.trigger();
    timers.advance(150);
    d.trigger();
    expect(fired).to.deep.equal([]);
    timers.advance(199);
    expect(fired).to.deep.equal([]);
    timers.advance(1);
    expect(fired).to.deep.equal([start + 400]);
    expect(d.pending).to.equal(false);
    expect(timers.waiting).to.equal(0);
  });

  it('fires at the maximum delay when changes never stop', () => {
    const timers = new FakeTimers();
    const start = timers.now().getTime();
    const { d, fired } = debouncer(timers);
    for (let i = 0; i < 30; i++) {
      d.trigger();
      timers.advance(100);
    }
    // 30 changes 100 ms apart: never 200 ms of quiet, so the 2 s deadline fired once, and the burst after it
    // is waiting for its own quiet period.
    expect(fired).to.deep.equal([start + 2000]);
    expect(d.pending).to.equal(true);
    timers.advance(200);
    expect(fired).to.deep.equal([start + 2000, start + 3100]);
  });

  it('a new burst after firing starts a new deadline; cancel drops a waiting burst', () => {
    const timers = new FakeTimers();
    const { d, fired } = debouncer(timers);
    d.trigger();
    timers.advance(200);
    d.trigger();
    d.cancel();
    timers.advance(5000);
    expect(fired).to.have.length(1);
  });
});
