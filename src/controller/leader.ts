/**
 * Leader election on a coordination.k8s.io/v1 Lease (default `aspen-leader` in aspen's namespace), the way client-go's
 * leaderelection works: every `retryPeriod` each replica tries to acquire or renew the Lease; a Lease held by another
 * replica can be taken once its record has not changed for `leaseDuration`, measured on this replica's clock from when
 * it last saw the record change (never by comparing clocks across machines); every write carries the resourceVersion
 * read, so two candidates cannot both win. A leader that cannot renew within `renewDeadline` (< leaseDuration) stops
 * leading: {@link LeaderElector.isLeader} turns false at that instant (checked against the clock, not a timer) and the
 * stop callbacks fire. {@link LeaderElector.stop} releases the Lease (empty holderIdentity) so a successor takes over at
 * once. Clock and timers are injected.
 */
import type { TimerHandle, Timers } from '../serve/debounce.js';
import type { Clock, Logger } from '../xds/server/types.js';
import type { LeaseApi, LeaseRecord, StoredLease } from './leader-api.js';

/** The Lease name (contracts.md). */
export const LEADER_LEASE = 'aspen-leader';

/** Timing of the election (contracts.md defaults: 15 s, 10 s, 2 s). */
export interface LeaderTiming {
  /** How long a claim lasts without renewal; candidates wait this long after the last change they saw. */
  leaseDurationMs: number;
  /** A leader that has not renewed for this long stops leading (must be < leaseDurationMs). */
  renewDeadlineMs: number;
  /** How often to try to acquire or renew. */
  retryPeriodMs: number;
}

/** The defaults: lease 15 s, renew deadline 10 s, retry 2 s. */
export const DEFAULT_LEADER_TIMING: LeaderTiming = {
  leaseDurationMs: 15_000,
  renewDeadlineMs: 10_000,
  retryPeriodMs: 2_000,
};

/** What a {@link LeaderElector} is built from. */
export interface LeaderElectorOptions {
  /** The Lease (see kubeLeaseApi). */
  api: LeaseApi;
  /** This replica's identity (the replica id; written as holderIdentity). */
  identity: string;
  /** Timing; default {@link DEFAULT_LEADER_TIMING}. */
  timing?: LeaderTiming;
  /** Time source. */
  clock: Clock;
  /** Timer source. */
  timers: Timers;
  /** Logger. */
  logger: Logger;
}

type Callback = () => void;

/** See the module comment. */
export class LeaderElector {
  private readonly options: LeaderElectorOptions;
  private readonly timing: LeaderTiming;
  private readonly log: Logger;
  private readonly started: Callback[] = [];
  private readonly stopped: Callback[] = [];
  private leading = false;
  private lastRenewMs = 0;
  private observed: { key: string; atMs: number } | undefined;
  private tickTimer: TimerHandle | undefined;
  private deadlineTimer: TimerHandle | undefined;
  private running = false;
  private inFlight: Promise<void> | undefined;

  /** Creates an idle elector; nothing happens before {@link start}. */
  constructor(options: LeaderElectorOptions) {
    this.options = options;
    this.timing = options.timing ?? DEFAULT_LEADER_TIMING;
    if (this.timing.renewDeadlineMs >= this.timing.leaseDurationMs) {
      throw new Error('leader election: the renew deadline must be shorter than the lease duration');
    }
    this.log = options.logger.child({ component: 'leader-election', identity: options.identity });
  }

  /** Registers a callback fired (synchronously) when this replica becomes leader. */
  onStartedLeading(callback: Callback): void {
    this.started.push(callback);
  }

  /** Registers a callback fired (synchronously) the moment this replica stops leading (lost, or stop()). */
  onStoppedLeading(callback: Callback): void {
    this.stopped.push(callback);
  }

  /**
   * Whether this replica leads right now: it acquired the Lease and renewed it less than `renewDeadline` ago. Every
   * writer checks this before each write, so writes stop at the deadline even if a renewal call hangs.
   */
  isLeader(): boolean {
    if (!this.leading) return false;
    return this.now() - this.lastRenewMs < this.timing.renewDeadlineMs;
  }

  /** Starts campaigning: the first attempt runs at once, then every retry period. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule(0);
  }

  /** Runs one acquire-or-renew attempt now (tests drive time with it; start() does the same on a timer). */
  async tick(): Promise<void> {
    this.inFlight ??= this.attempt().finally(() => {
      this.inFlight = undefined;
    });
    await this.inFlight;
  }

  /** Stops campaigning; a leader stops leading (callbacks fire) and releases the Lease. Resolves when released. */
  async stop(): Promise<void> {
    this.running = false;
    this.clearTimers();
    await this.inFlight;
    if (!this.leading) return;
    this.lose('stopping');
    await this.release();
  }

  private now(): number {
    return this.options.clock.now().getTime();
  }

  private schedule(ms: number): void {
    if (!this.running) return;
    this.tickTimer = this.options.timers.setTimeout(() => {
      this.tickTimer = undefined;
      void this.tick().finally(() => this.schedule(this.timing.retryPeriodMs));
    }, ms);
  }

  private clearTimers(): void {
    if (this.tickTimer !== undefined) this.options.timers.clearTimeout(this.tickTimer);
    if (this.deadlineTimer !== undefined) this.options.timers.clearTimeout(this.deadlineTimer);
    this.tickTimer = undefined;
    this.deadlineTimer = undefined;
  }

  private async attempt(): Promise<void> {
    let ok = false;
    try {
      ok = await this.tryAcquireOrRenew();
    } catch (error) {
      this.log.warn({ err: error }, 'leader election: could not read or write the Lease');
    }
    if (ok) {
      this.renewed();
      return;
    }
    if (this.leading && !this.isLeader()) this.lose('renew deadline passed');
  }

  /** Records a successful acquire or renew: becomes leader if not yet, and arms the renew deadline. */
  private renewed(): void {
    this.lastRenewMs = this.now();
    if (this.deadlineTimer !== undefined) this.options.timers.clearTimeout(this.deadlineTimer);
    this.deadlineTimer = this.options.timers.setTimeout(() => {
      this.deadlineTimer = undefined;
      if (this.leading && !this.isLeader()) this.lose('renew deadline passed');
    }, this.timing.renewDeadlineMs);
    if (this.leading) return;
    this.leading = true;
    this.log.info({}, 'became leader');
    for (const callback of this.started) this.safely(callback);
  }

  private lose(why: string): void {
    if (!this.leading) return;
    this.leading = false;
    this.log.warn({ why }, 'stopped leading');
    for (const callback of this.stopped) this.safely(callback);
  }

  private safely(callback: Callback): void {
    try {
      callback();
    } catch (error) {
      this.log.error({ err: error }, 'leader election callback failed');
    }
  }

  /** Notes when the Lease record last changed, on this replica's clock. */
  private observe(lease: StoredLease): number {
    const key = `${lease.record.holderIdentity}\n${lease.record.renewTime?.getTime() ?? ''}\n${lease.resourceVersion}`;
    if (this.observed?.key !== key) this.observed = { key, atMs: this.now() };
    return this.observed.atMs;
  }

  private record(previous: LeaseRecord | undefined): LeaseRecord {
    const now = this.options.clock.now();
    const mine = previous?.holderIdentity === this.options.identity;
    return {
      holderIdentity: this.options.identity,
      leaseDurationSeconds: Math.ceil(this.timing.leaseDurationMs / 1000),
      acquireTime: mine ? (previous?.acquireTime ?? now) : now,
      renewTime: now,
      leaseTransitions: (previous?.leaseTransitions ?? 0) + (mine || previous === undefined ? 0 : 1),
    };
  }

  private async tryAcquireOrRenew(): Promise<boolean> {
    const { api, identity } = this.options;
    const lease = await api.get();
    if (lease === undefined) return this.write(() => api.create(this.record(undefined)));
    const seenAt = this.observe(lease);
    const { holderIdentity, leaseDurationSeconds } = lease.record;
    const durationMs = leaseDurationSeconds > 0 ? leaseDurationSeconds * 1000 : this.timing.leaseDurationMs;
    if (holderIdentity !== '' && holderIdentity !== identity && this.now() < seenAt + durationMs)
      return false;
    return this.write(() => api.replace(lease.resourceVersion, this.record(lease.record)));
  }

  private async write(call: () => Promise<StoredLease>): Promise<boolean> {
    try {
      const written = await call();
      this.observe(written);
      return true;
    } catch (error) {
      if (error instanceof Error && error.name === 'ConflictError') return false;
      throw error;
    }
  }

  /** Clears holderIdentity if this replica still holds the Lease (best effort). */
  private async release(): Promise<void> {
    try {
      const lease = await this.options.api.get();
      if (lease?.record.holderIdentity !== this.options.identity) return;
      const record = {
        ...lease.record,
        holderIdentity: '',
        leaseDurationSeconds: 1,
        renewTime: this.options.clock.now(),
      };
      await this.options.api.replace(lease.resourceVersion, record);
      this.log.info({}, 'released the leader Lease');
    } catch (error) {
      this.log.warn({ err: error }, 'could not release the leader Lease; a successor waits for it to expire');
    }
  }
}
