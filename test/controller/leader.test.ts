/**
 * Leader election on the `aspen-leader` Lease, two electors against the fake API server through the real client,
 * with injected time: acquisition, renewal, hand-over on graceful stop (release) and on expiry, loss at the renew
 * deadline when the API server is unreachable, and a single winner when both race for a free Lease.
 */
import { expect } from 'chai';
import { kubeLeaseApi } from '../../src/controller/leader-api.js';
import { LEADER_LEASE, LeaderElector } from '../../src/controller/leader.js';
import { silentLogger } from '../../src/xds/server/types.js';
import { FakeTimers } from '../serve/fixtures.js';
import { startFakeApiServer } from '../support/fake-apiserver/index.js';
import type { FakeApiServer } from '../support/fake-apiserver/index.js';

const NS = 'aspen-system';

interface Candidate {
  elector: LeaderElector;
  log: string[];
}

describe('leader election (fake API server)', () => {
  let api: FakeApiServer;
  let time: FakeTimers;

  beforeEach(async () => {
    api = await startFakeApiServer();
    time = new FakeTimers();
  });

  afterEach(async () => {
    await api.close();
  });

  function candidate(identity: string): Candidate {
    const log: string[] = [];
    const elector = new LeaderElector({
      api: kubeLeaseApi(api.kubeConfig, NS, LEADER_LEASE),
      identity,
      clock: time,
      timers: time,
      logger: silentLogger,
    });
    elector.onStartedLeading(() => log.push('started'));
    elector.onStoppedLeading(() => log.push('stopped'));
    return { elector, log };
  }

  function lease(): { holderIdentity?: string; leaseTransitions?: number; leaseDurationSeconds?: number } {
    const obj = api.get('coordination.k8s.io/v1', 'Lease', NS, LEADER_LEASE) as
      { spec?: Record<string, unknown> } | undefined;
    return obj?.spec ?? {};
  }

  it('one replica acquires the Lease and renews it; the other waits', async () => {
    const a = candidate('aspen-0');
    const b = candidate('aspen-1');
    await a.elector.tick();
    await b.elector.tick();
    expect(a.elector.isLeader()).to.equal(true);
    expect(b.elector.isLeader()).to.equal(false);
    expect(lease()).to.include({ holderIdentity: 'aspen-0', leaseDurationSeconds: 15, leaseTransitions: 0 });
    for (let i = 0; i < 10; i += 1) {
      time.advance(2_000);
      await a.elector.tick();
      await b.elector.tick();
    }
    expect(a.elector.isLeader()).to.equal(true);
    expect(b.elector.isLeader()).to.equal(false);
    expect(a.log).to.deep.equal(['started']);
    expect(b.log).to.deep.equal([]);
  });

  it('hands over at once when the leader stops gracefully (the Lease is released)', async () => {
    const a = candidate('aspen-0');
    const b = candidate('aspen-1');
    await a.elector.tick();
    await b.elector.tick();
    await a.elector.stop();
    expect(a.log).to.deep.equal(['started', 'stopped']);
    expect(a.elector.isLeader()).to.equal(false);
    expect(lease().holderIdentity).to.equal('');
    await b.elector.tick();
    expect(b.elector.isLeader()).to.equal(true);
    expect(lease()).to.include({ holderIdentity: 'aspen-1', leaseTransitions: 1 });
  });

  it('hands over after the lease duration when the leader vanishes; the old leader stops at its renew deadline', async () => {
    const a = candidate('aspen-0');
    const b = candidate('aspen-1');
    await a.elector.tick();
    await b.elector.tick();
    // aspen-0 stops renewing (partitioned). Its own deadline fires after 10 s: writes stop before anyone takes over.
    time.advance(10_000);
    expect(a.elector.isLeader()).to.equal(false);
    expect(a.log).to.deep.equal(['started', 'stopped']);
    time.advance(4_000);
    await b.elector.tick();
    expect(b.elector.isLeader(), 'the Lease has not expired yet').to.equal(false);
    time.advance(1_000);
    await b.elector.tick();
    expect(b.elector.isLeader()).to.equal(true);
    expect(lease().holderIdentity).to.equal('aspen-1');
    // aspen-0 comes back: it sees aspen-1's claim and does not take it.
    await a.elector.tick();
    expect(a.elector.isLeader()).to.equal(false);
  });

  it('stops leading when the API server stays unreachable past the renew deadline', async () => {
    const a = candidate('aspen-0');
    await a.elector.tick();
    api.failNext(100, { path: '/leases' });
    for (let i = 0; i < 4; i += 1) {
      time.advance(2_000);
      await a.elector.tick();
      expect(a.elector.isLeader(), `after ${(i + 1) * 2} s`).to.equal(true);
    }
    time.advance(2_000);
    await a.elector.tick();
    expect(a.elector.isLeader()).to.equal(false);
    expect(a.log).to.deep.equal(['started', 'stopped']);
  });

  it('gives a free Lease to exactly one of two racing replicas', async () => {
    const a = candidate('aspen-0');
    const b = candidate('aspen-1');
    await Promise.all([a.elector.tick(), b.elector.tick()]);
    expect([a.elector.isLeader(), b.elector.isLeader()].filter(Boolean)).to.have.length(1);
  });

  it('campaigns on its own timers after start()', async () => {
    const a = candidate('aspen-0');
    a.elector.start();
    time.advance(0);
    await a.elector.tick(); // joins the attempt the timer started
    expect(lease().holderIdentity).to.equal('aspen-0');
    expect(a.elector.isLeader()).to.equal(true);
    expect(time.waiting, 'the next attempt and the renew deadline are scheduled').to.be.greaterThan(0);
    await a.elector.stop();
    expect(lease().holderIdentity).to.equal('');
  });
});
