/**
 * Runs the failure-policy self-test on the leader: every `retryMs` until validation is `Fail`, then every `recheckMs`
 * (a chart upgrade may reset it to `Ignore`). Timers are injected; a failed run is logged and retried.
 */
import type { TimerHandle, Timers } from '../serve/debounce.js';
import type { Logger } from '../xds/server/types.js';
import type { WebhookKubeClient } from './kube/client.js';
import { runSelfTest, type SelfTestOutcome } from './self-test.js';

/** Options of {@link SelfTestLoop}. */
export interface SelfTestLoopOptions {
  /** API client. */
  readonly client: WebhookKubeClient;
  /** aspen's namespace (where the dry-run object would live). */
  readonly namespace: string;
  /** True on the leader. */
  readonly isLeader: () => boolean;
  /** A fresh nonce per run. */
  readonly nonce: () => string;
  /** Timers. */
  readonly timers: Timers;
  /** Logger. */
  readonly logger: Logger;
  /** Delay between attempts until it passes; default 30 s. */
  readonly retryMs?: number;
  /** Delay between checks once it passed; default 10 min. */
  readonly recheckMs?: number;
}

/** The self-test on a timer. */
export class SelfTestLoop {
  private timer: TimerHandle | undefined;
  private stopped = false;
  /** The last outcome (undefined before the first run or on a follower). */
  last: SelfTestOutcome | undefined;

  /** A loop that does nothing until {@link run}. */
  constructor(private readonly options: SelfTestLoopOptions) {}

  /** Runs once now (leader only) and schedules the next run. */
  async run(): Promise<SelfTestOutcome | undefined> {
    const { options } = this;
    let passed = false;
    if (options.isLeader()) {
      try {
        this.last = await runSelfTest({ ...options, nonce: options.nonce() });
        passed = this.last === 'switched' || this.last === 'already-fail';
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        options.logger.warn({ err: reason }, 'webhook self-test failed; retrying');
      }
    }
    this.schedule(passed ? (options.recheckMs ?? 600_000) : (options.retryMs ?? 30_000));
    return this.last;
  }

  /** Schedules the first run after `delayMs` (default 1 s). */
  start(delayMs = 1000): void {
    this.schedule(delayMs);
  }

  /** Stops the timer. */
  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.options.timers.clearTimeout(this.timer);
  }

  private schedule(delay: number): void {
    if (this.stopped) return;
    if (this.timer !== undefined) this.options.timers.clearTimeout(this.timer);
    this.timer = this.options.timers.setTimeout(() => void this.run(), delay);
  }
}
