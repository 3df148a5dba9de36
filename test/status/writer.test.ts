/**
 * The status writer's queue against an in-memory API: skip unchanged, refetch on 409, lastTransitionTime only on
 * real transitions, Events, and no write once leadership is lost. (test/controller covers the client-node
 * implementation against the fake API server.)
 */
import { expect } from 'chai';
import type { PolicyEvent } from '../../src/controller/events.js';
import { desiredStatus } from '../../src/status/aggregate.js';
import type { DesiredStatus } from '../../src/status/aggregate.js';
import { ConflictError } from '../../src/status/status-api.js';
import type { PolicyStatusApi, StoredPolicy } from '../../src/status/status-api.js';
import { StatusWriter } from '../../src/status/writer.js';
import { silentLogger } from '../../src/xds/server/types.js';
import { FakeTimers } from '../serve/fixtures.js';
import { validStatus } from './fixtures.js';

class MemoryApi implements PolicyStatusApi {
  object: StoredPolicy = { uid: 'u1', resourceVersion: '1', generation: 1, status: undefined };
  patches: Record<string, unknown>[] = [];
  gets = 0;
  conflictOnce = false;

  get(): Promise<StoredPolicy | undefined> {
    this.gets += 1;
    return Promise.resolve(structuredClone(this.object));
  }

  patchStatus(
    _ns: string,
    _name: string,
    patch: { resourceVersion: string; status: Record<string, unknown> },
  ): Promise<StoredPolicy | undefined> {
    if (this.conflictOnce || patch.resourceVersion !== this.object.resourceVersion) {
      this.conflictOnce = false;
      this.bump();
      return Promise.reject(new ConflictError('changed'));
    }
    this.patches.push(structuredClone(patch.status));
    this.object = { ...this.object, status: structuredClone(patch.status) };
    this.bump();
    return Promise.resolve(structuredClone(this.object));
  }

  bump(): void {
    this.object.resourceVersion = String(Number(this.object.resourceVersion) + 1);
  }
}

function setup(): {
  api: MemoryApi;
  writer: StatusWriter;
  events: PolicyEvent[];
  clock: { t: number };
  leader: { on: boolean };
} {
  const api = new MemoryApi();
  const events: PolicyEvent[] = [];
  const clock = { t: Date.parse('2026-11-28T10:00:00Z') };
  const leader = { on: true };
  const writer = new StatusWriter({
    api,
    isLeader: () => leader.on,
    clock: { now: () => new Date(clock.t) },
    logger: silentLogger,
    events: { record: (e) => (events.push(e), Promise.resolve()) },
  });
  return { api, writer, events, clock, leader };
}

function desired(acked: number): DesiredStatus {
  return desiredStatus(validStatus('shop/orders-api', 1, 1), [
    {
      policy: 'shop/orders-api',
      generation: 1,
      connected: 1,
      acked,
      rejected: 0,
      rejections: [],
      unsupported: 0,
      unsupportedSamples: [],
    },
  ]);
}

function conditionTimes(status: unknown): Record<string, string> {
  const list = (status as { conditions: { type: string; lastTransitionTime: string }[] }).conditions;
  return Object.fromEntries(list.map((c) => [c.type, c.lastTransitionTime]));
}

describe('status writer', () => {
  it('writes status with observedGeneration and moves lastTransitionTime only on real transitions', async () => {
    const { api, writer, clock, events } = setup();
    writer.update([desired(0)]);
    await writer.idle();
    expect(api.patches).to.have.length(1);
    const first = api.object.status as { observedGeneration: number; proxies: unknown };
    expect(first.observedGeneration).to.equal(1);
    expect(first.proxies).to.deep.equal({ connected: 1, acked: 0, rejected: 0 });
    expect(conditionTimes(first).Programmed).to.equal('2026-11-28T10:00:00Z');
    expect(events.map((e) => `${e.type}/${e.reason}`)).to.deep.equal(['Normal/Pending']);

    clock.t += 60_000;
    writer.update([desired(1)]);
    await writer.idle();
    const times = conditionTimes(api.object.status);
    expect(times.Programmed).to.equal('2026-11-28T10:01:00Z');
    expect(times.Accepted).to.equal('2026-11-28T10:00:00Z');
    expect(events.map((e) => `${e.type}/${e.reason}`)).to.deep.equal(['Normal/Pending', 'Normal/Programmed']);
  });

  it('skips an unchanged status without calling the API again', async () => {
    const { api, writer } = setup();
    writer.update([desired(1)]);
    await writer.idle();
    writer.update([desired(1)]);
    await writer.idle();
    expect(api.patches).to.have.length(1);
    expect(api.gets).to.equal(1);
  });

  it('refetches and retries on 409', async () => {
    const { api, writer } = setup();
    api.conflictOnce = true;
    writer.update([desired(1)]);
    await writer.idle();
    expect(api.patches).to.have.length(1);
    expect(api.gets).to.equal(2);
  });

  it('does not write when not leading, and drops its queue on reset', async () => {
    const { api, writer, leader } = setup();
    leader.on = false;
    writer.update([desired(1)]);
    await writer.idle();
    expect(api.patches).to.have.length(0);
    leader.on = true;
    writer.update([desired(1)]);
    writer.reset();
    await writer.idle();
    expect(api.patches).to.have.length(0);
  });

  it('never regresses a status written for a newer generation', async () => {
    const { api, writer } = setup();
    api.object.status = { observedGeneration: 5 };
    writer.update([desired(1)]);
    await writer.idle();
    expect(api.patches).to.have.length(0);
  });

  it('retries after an API error on its timer, with the latest desired status', async () => {
    const api = new MemoryApi();
    const timers = new FakeTimers();
    let failures = 1;
    const flaky: PolicyStatusApi = {
      get: () => (failures-- > 0 ? Promise.reject(new Error('connection refused')) : api.get()),
      patchStatus: (ns, name, patch) => api.patchStatus(ns, name, patch),
    };
    const writer = new StatusWriter({
      api: flaky,
      isLeader: () => true,
      clock: timers,
      logger: silentLogger,
      timers,
      retryDelayMs: 2_000,
    });
    writer.update([desired(0)]);
    await writer.idle();
    expect(api.patches).to.have.length(0);
    timers.advance(2_000);
    await writer.idle();
    expect(api.patches).to.have.length(1);
  });
});
