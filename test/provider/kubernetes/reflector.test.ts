import { expect } from 'chai';
import { WATCHED_KINDS } from '../../../src/provider/kubernetes/kinds.js';
import { Reflector } from '../../../src/provider/kubernetes/reflector.js';
import type { StoreChange } from '../../../src/provider/kubernetes/reflector.js';
import type { KubeTransport, RawObject, WatchEvent } from '../../../src/provider/kubernetes/transport.js';
import { silentLogger } from '../../../src/xds/server/types.js';
import { FakeTimers } from '../../serve/fixtures.js';

const KIND = WATCHED_KINDS[0];
if (KIND === undefined) throw new Error('no watched kinds');

function obj(name: string, rv: string): RawObject {
  return { metadata: { namespace: 'ns', name, resourceVersion: rv } };
}

/** A transport the test scripts: each call is recorded; lists answer `listed` or throw `listError`. */
class ScriptedTransport implements KubeTransport {
  calls: string[] = [];
  listed: RawObject[] = [];
  listVersion = '10';
  listError: Error | undefined;
  onEvent: WatchEvent = () => undefined;
  done: (error: unknown) => void = () => undefined;

  list(): Promise<{ items: RawObject[]; resourceVersion: string }> {
    this.calls.push('list');
    if (this.listError !== undefined) return Promise.reject(this.listError);
    return Promise.resolve({ items: this.listed, resourceVersion: this.listVersion });
  }

  watch(
    _kind: unknown,
    resourceVersion: string,
    onEvent: WatchEvent,
    done: (error: unknown) => void,
  ): Promise<{ abort(): void }> {
    this.calls.push(`watch@${resourceVersion}`);
    this.onEvent = onEvent;
    this.done = done;
    return Promise.resolve({ abort: () => undefined });
  }
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('kubernetes provider reflector (scripted transport)', () => {
  let transport: ScriptedTransport;
  let timers: FakeTimers;
  let changes: StoreChange[];
  let reflector: Reflector;

  beforeEach(async () => {
    transport = new ScriptedTransport();
    transport.listed = [obj('a', '5')];
    timers = new FakeTimers();
    changes = [];
    reflector = new Reflector({
      kind: KIND,
      transport,
      timers,
      logger: silentLogger,
      onChange: (c) => changes.push(c),
    });
    reflector.start();
    await tick();
  });
  afterEach(() => reflector.stop());

  it('lists, then watches from the list resourceVersion and follows events (resourceVersions passed back verbatim)', () => {
    expect(transport.calls).to.deep.equal(['list', 'watch@10']);
    expect(reflector.synced).to.equal(true);
    transport.onEvent('MODIFIED', obj('a', 'opaque-11'));
    transport.onEvent('BOOKMARK', { metadata: { resourceVersion: 'opaque-12' } });
    expect(changes.map((c) => c.key)).to.deep.equal(['ns/a', 'ns/a']);
    transport.done(null);
    expect(transport.calls.at(-1)).to.equal('watch@opaque-12');
  });

  it('re-watches at once after a client timeout, and after a clean end, backing off only when ends keep coming empty', async () => {
    transport.done(Object.assign(new Error('timeout'), { name: 'TimeoutError' }));
    expect(transport.calls.at(-1)).to.equal('watch@10');
    await tick();
    transport.done(null);
    expect(transport.calls.at(-1)).to.equal('watch@10');
    await tick();
    const before = transport.calls.length;
    transport.done(null);
    expect(transport.calls.length, 'a second empty end waits').to.equal(before);
    timers.advance(1000);
    await tick();
    expect(transport.calls.at(-1)).to.equal('watch@10');
  });

  it('relists at once after a 410 ERROR event and reports deletions it missed', async () => {
    transport.onEvent('ERROR', { code: 410 });
    transport.listed = [obj('b', '20')];
    transport.listVersion = '21';
    transport.done(null);
    await tick();
    expect(transport.calls.slice(-2)).to.deep.equal(['list', 'watch@21']);
    expect(
      changes.slice(-2).map((c) => [c.key, c.object === undefined ? 'deleted' : 'present']),
    ).to.deep.equal([
      ['ns/a', 'deleted'],
      ['ns/b', 'present'],
    ]);
  });

  it('relists after errors with exponential backoff (1 s, 2 s, 4 s … 30 s), never giving up', async () => {
    transport.listError = Object.assign(new Error('boom'), { statusCode: 500 });
    transport.done(new Error('socket closed'));
    const delays: number[] = [];
    for (let i = 0; i < 7; i++) {
      const lists = transport.calls.filter((c) => c === 'list').length;
      let waited = 0;
      while (transport.calls.filter((c) => c === 'list').length === lists) {
        timers.advance(500);
        waited += 500;
        await tick();
      }
      delays.push(waited);
    }
    expect(delays).to.deep.equal([1000, 2000, 4000, 8000, 16000, 30000, 30000]);
    transport.listError = undefined;
    timers.advance(30000);
    await tick();
    await tick();
    expect(transport.calls.at(-1)).to.equal('watch@10');
  });
});
