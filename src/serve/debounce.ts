/**
 * Debounce in front of rebuilds (Contour's hold-off): a burst of changes gives one rebuild, after a quiet period, but
 * never later than a maximum delay after the first change of the burst. Timers are injected so tests drive time.
 */

/** An opaque timer handle (whatever the timer source returns; Node's `Timeout`, or a test's object). */
export type TimerHandle = object;

/** Where timers come from (the system timers, or a fake in tests). */
export interface Timers {
  /** Calls `callback` once after `ms` milliseconds. */
  setTimeout(callback: () => void, ms: number): TimerHandle;
  /** Cancels a timer; harmless on one that already fired. */
  clearTimeout(handle: TimerHandle): void;
}

/** The system timers. */
export const systemTimers: Timers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** Default quiet period before a rebuild. */
export const DEFAULT_QUIET_MS = 200;
/** Default maximum delay between the first change of a burst and its rebuild. */
export const DEFAULT_MAX_DELAY_MS = 2000;

/** Settings of a {@link Debouncer}. */
export interface DebounceOptions {
  /** Rebuild once no change arrived for this long. */
  quietMs: number;
  /** ...but at the latest this long after the first change of a burst. */
  maxDelayMs: number;
  /** Timer source. */
  timers: Timers;
  /** What to run; called once per burst. */
  fire: () => void;
}

/** Coalesces {@link trigger} calls into one {@link DebounceOptions.fire} per burst. */
export class Debouncer {
  private readonly options: DebounceOptions;
  private quiet: TimerHandle | undefined;
  private deadline: TimerHandle | undefined;

  /** Creates an idle debouncer. */
  constructor(options: DebounceOptions) {
    this.options = options;
  }

  /** Something changed: (re)starts the quiet period; the first change of a burst also starts the deadline. */
  trigger(): void {
    const { timers, quietMs, maxDelayMs } = this.options;
    if (this.quiet !== undefined) timers.clearTimeout(this.quiet);
    this.quiet = timers.setTimeout(() => this.fireNow(), quietMs);
    this.deadline ??= timers.setTimeout(() => this.fireNow(), maxDelayMs);
  }

  /** Whether a burst is waiting to fire. */
  get pending(): boolean {
    return this.quiet !== undefined;
  }

  /** Drops a waiting burst without firing. */
  cancel(): void {
    const { timers } = this.options;
    if (this.quiet !== undefined) timers.clearTimeout(this.quiet);
    if (this.deadline !== undefined) timers.clearTimeout(this.deadline);
    this.quiet = undefined;
    this.deadline = undefined;
  }

  private fireNow(): void {
    this.cancel();
    this.options.fire();
  }
}
