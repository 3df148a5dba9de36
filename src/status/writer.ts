/**
 * The one status writer: a keyed queue (one entry per policy, the latest desired status wins) drained by one worker,
 * which merge-patches the status subresource with the read resourceVersion as precondition, skips statuses that are
 * unchanged, refetches and retries on 409, keeps `lastTransitionTime` unless a condition's status changed, and records
 * an Event per condition transition. It writes only while {@link StatusWriterOptions.isLeader} says so, checked before
 * every API call; {@link StatusWriter.reset} (call it on leadership loss and gain) drops the queue and what it knew.
 */
import type { EventRecorder, PolicyEvent } from '../controller/events.js';
import { noEvents } from '../controller/events.js';
import type { Timers } from '../serve/debounce.js';
import { systemTimers } from '../serve/debounce.js';
import { ConditionType } from '../translate/status.js';
import type { Clock, Logger } from '../xds/server/types.js';
import type { DesiredStatus } from './aggregate.js';
import { StatusReason } from './aggregate.js';
import type { ConditionTransition, WrittenCondition } from './conditions.js';
import { withTransitionTimes } from './conditions.js';
import type { PolicyStatusApi, StoredPolicy } from './status-api.js';
import { ConflictError } from './status-api.js';
import { stableJson } from './stable-json.js';

/** What a {@link StatusWriter} is built from. */
export interface StatusWriterOptions {
  /** Reads and patches the status subresource. */
  api: PolicyStatusApi;
  /** Whether this replica may write now (the leader elector's `isLeader`). */
  isLeader: () => boolean;
  /** Time of transitions. */
  clock: Clock;
  /** Where failures are logged. */
  logger: Logger;
  /** Events for transitions (default none). */
  events?: EventRecorder;
  /** Timers for retries after API errors other than 409 (default the system timers). */
  timers?: Timers;
  /** Delay before retrying after an API error (default 2000 ms). */
  retryDelayMs?: number;
  /** Refetch-and-retry rounds on 409 before giving up until the next update (default 5). */
  maxConflicts?: number;
}

/** The status object written for a desired status and its conditions. */
function statusBody(desired: DesiredStatus, conditions: WrittenCondition[]): Record<string, unknown> {
  return {
    observedGeneration: desired.observedGeneration,
    conditions,
    workloads: desired.workloads,
    proxies: desired.proxies,
  };
}

function keyOf(s: { namespace: string; name: string }): string {
  return `${s.namespace}/${s.name}`;
}

/** The generation the stored status describes (0 when none). */
function storedGeneration(status: unknown): number {
  const g = (status as { observedGeneration?: unknown } | undefined)?.observedGeneration;
  return typeof g === 'number' ? g : 0;
}

/** Whether the condition, as it is now, is a problem (Warnings True, anything else False/Unknown). */
function unhealthy(transition: ConditionTransition): boolean {
  const { type, status } = transition.to;
  return type === ConditionType.Warnings ? status === 'True' : status !== 'True';
}

/** The Event for one transition, or undefined when it is not worth one (a new healthy or Warnings-False condition). */
export function transitionEvent(
  stored: StoredPolicy,
  d: DesiredStatus,
  t: ConditionTransition,
): PolicyEvent | undefined {
  const bad = unhealthy(t);
  if (t.from === undefined && !bad) return undefined;
  if (t.to.type === ConditionType.Warnings && !bad) return undefined;
  const warning = bad && t.to.reason !== StatusReason.Pending;
  return {
    namespace: d.namespace,
    name: d.name,
    uid: stored.uid,
    type: warning ? 'Warning' : 'Normal',
    reason: t.to.reason,
    message: `${t.to.type} is ${t.to.status}: ${t.to.message}`,
  };
}

/** See the module comment. */
export class StatusWriter {
  private readonly options: StatusWriterOptions;
  private readonly log: Logger;
  private readonly queue = new Map<string, DesiredStatus>();
  private readonly known = new Map<string, StoredPolicy>();
  private running: Promise<void> | undefined;
  private epoch = 0;

  /** Creates an idle writer. */
  constructor(options: StatusWriterOptions) {
    this.options = options;
    this.log = options.logger.child({ component: 'status-writer' });
  }

  /** Queues desired statuses (the latest per policy wins) and starts writing them if this replica leads. */
  update(desired: readonly DesiredStatus[]): void {
    if (!this.options.isLeader()) return;
    for (const d of desired) this.queue.set(keyOf(d), d);
    this.kick();
  }

  /** Forgets a deleted policy (its queued status and what was known of it). */
  forget(namespace: string, name: string): void {
    this.queue.delete(`${namespace}/${name}`);
    this.known.delete(`${namespace}/${name}`);
  }

  /**
   * Drops the queue and everything known about stored objects. Call it when leadership is lost (nothing more is
   * written) and when it is gained (then call {@link update} with every desired status).
   */
  reset(): void {
    this.epoch += 1;
    this.queue.clear();
    this.known.clear();
  }

  /** Policies waiting to be written. */
  get queued(): number {
    return this.queue.size;
  }

  /** Resolves once the queue is drained (or writing stopped). */
  async idle(): Promise<void> {
    while (this.running !== undefined) await this.running;
  }

  private kick(): void {
    this.running ??= this.drain()
      .catch((error: unknown) => this.log.error({ err: error }, 'status writer failed (aspen bug)'))
      .finally(() => {
        this.running = undefined;
      });
  }

  private async drain(): Promise<void> {
    for (;;) {
      const next = this.queue.entries().next();
      if (next.done === true || !this.options.isLeader()) return;
      const [key, desired] = next.value;
      this.queue.delete(key);
      await this.writeOne(key, desired, this.epoch);
    }
  }

  /** Writes one status: see the module comment. */
  private async writeOne(key: string, desired: DesiredStatus, epoch: number): Promise<void> {
    const maxConflicts = this.options.maxConflicts ?? 5;
    for (let attempt = 0; attempt <= maxConflicts; attempt += 1) {
      try {
        const outcome = await this.attempt(key, desired, epoch);
        if (outcome !== 'conflict') return;
        this.known.delete(key);
      } catch (error) {
        this.log.warn({ policy: key, err: error }, 'status write failed; retrying');
        this.known.delete(key);
        this.retryLater(key, desired, epoch);
        return;
      }
    }
    this.log.warn({ policy: key }, 'status write kept conflicting; waiting for the next update');
  }

  private current(key: string, desired: DesiredStatus): Promise<StoredPolicy | undefined> | StoredPolicy {
    return this.known.get(key) ?? this.options.api.get(desired.namespace, desired.name);
  }

  private may(epoch: number): boolean {
    return epoch === this.epoch && this.options.isLeader();
  }

  private async attempt(key: string, desired: DesiredStatus, epoch: number): Promise<'done' | 'conflict'> {
    if (!this.may(epoch)) return 'done';
    const stored = await this.current(key, desired);
    if (stored === undefined || !this.may(epoch)) return 'done';
    this.known.set(key, stored);
    if (storedGeneration(stored.status) > desired.observedGeneration) return 'done';
    const { conditions, transitions } = withTransitionTimes(
      desired.conditions,
      stored.status,
      this.options.clock.now(),
    );
    const status = statusBody(desired, conditions);
    if (stableJson(status) === stableJson(stored.status)) return 'done';
    try {
      const written = await this.options.api.patchStatus(desired.namespace, desired.name, {
        resourceVersion: stored.resourceVersion,
        status,
      });
      if (written === undefined) {
        this.known.delete(key);
        return 'done';
      }
      if (epoch === this.epoch) this.known.set(key, written);
      this.recordEvents(stored, desired, transitions);
      return 'done';
    } catch (error) {
      if (error instanceof ConflictError) return 'conflict';
      throw error;
    }
  }

  private recordEvents(
    stored: StoredPolicy,
    desired: DesiredStatus,
    transitions: ConditionTransition[],
  ): void {
    const recorder = this.options.events ?? noEvents;
    for (const t of transitions) {
      const event = transitionEvent(stored, desired, t);
      if (event === undefined) continue;
      recorder.record(event).catch((error: unknown) => {
        this.log.warn({ policy: keyOf(desired), reason: event.reason, err: error }, 'could not record Event');
      });
    }
  }

  private retryLater(key: string, desired: DesiredStatus, epoch: number): void {
    const timers = this.options.timers ?? systemTimers;
    timers.setTimeout(() => {
      if (epoch !== this.epoch || this.queue.has(key)) return;
      this.queue.set(key, desired);
      this.kick();
    }, this.options.retryDelayMs ?? 2000);
  }
}
