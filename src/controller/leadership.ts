/**
 * Leadership as the controller's parts see it: with `--leader-elect` (the default) a {@link LeaderElector} on the
 * `aspen-leader` Lease; with `--no-leader-elect` this replica never leads (it serves xDS and publishes its sync
 * report, and writes nothing leader-only). Subscribers hear of leadership gained and lost.
 */
import type { Timers } from '../serve/debounce.js';
import type { Clock, Logger } from '../xds/server/types.js';
import { LEADER_LEASE, LeaderElector } from './leader.js';
import { kubeLeaseApi } from './leader-api.js';
import type { ControllerDeps, ControllerOptions } from './options.js';

/** What {@link Leadership} is built from. */
export interface LeadershipOptions {
  /** Controller settings (namespace, replica id, leader election and timing). */
  readonly options: Pick<ControllerOptions, 'namespace' | 'replicaId' | 'leaderElect' | 'leaderTiming'>;
  /** API access. */
  readonly deps: Pick<ControllerDeps, 'kubeConfig'>;
  /** Time source. */
  readonly clock: Clock;
  /** Timers. */
  readonly timers: Timers;
  /** Logger. */
  readonly logger: Logger;
}

/** See the module comment. */
export class Leadership {
  private readonly elector: LeaderElector | undefined;

  /** Creates the elector (not started) when leader election is on. */
  constructor(options: LeadershipOptions) {
    if (options.options.leaderElect === false) {
      options.logger.warn({}, 'leader election disabled: this replica never writes status or owned objects');
      return;
    }
    this.elector = new LeaderElector({
      api: kubeLeaseApi(options.deps.kubeConfig, options.options.namespace, LEADER_LEASE),
      identity: options.options.replicaId,
      ...(options.options.leaderTiming === undefined ? {} : { timing: options.options.leaderTiming }),
      clock: options.clock,
      timers: options.timers,
      logger: options.logger,
    });
  }

  /** Whether leader election is on. */
  get enabled(): boolean {
    return this.elector !== undefined;
  }

  /** Whether this replica leads right now. */
  isLeader(): boolean {
    return this.elector?.isLeader() ?? false;
  }

  /** Registers callbacks for leadership gained and lost. */
  subscribe(started: () => void, stopped: () => void): void {
    this.elector?.onStartedLeading(started);
    this.elector?.onStoppedLeading(stopped);
  }

  /** Starts campaigning. */
  start(): void {
    this.elector?.start();
  }

  /** Stops campaigning and releases the Lease when leading. */
  async stop(): Promise<void> {
    await this.elector?.stop();
  }
}
