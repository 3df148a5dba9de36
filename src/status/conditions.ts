/**
 * Conditions as written: the desired conditions with `lastTransitionTime` kept from the current status when the
 * condition's status did not change, and set to now when it did (metav1.Condition semantics); plus the transitions
 * worth an Event (status or reason changed). Pure.
 */
import type { DesiredCondition } from './aggregate.js';

/** A condition as stored in the API object. */
export interface WrittenCondition extends DesiredCondition {
  /** RFC 3339, when the status last changed. */
  lastTransitionTime: string;
}

/** A change of one condition worth telling users about (an Event). */
export interface ConditionTransition {
  /** The condition type. */
  type: string;
  /** Previous status (undefined when the condition is new). */
  from: string | undefined;
  /** The condition now. */
  to: DesiredCondition;
}

/** RFC 3339 with second precision, as Kubernetes writes metav1.Time. */
export function rfc3339(time: Date): string {
  return time.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Reads the conditions of a status object leniently (anything unreadable is treated as absent). */
export function readConditions(status: unknown): Map<string, Partial<WrittenCondition>> {
  const out = new Map<string, Partial<WrittenCondition>>();
  const list = (status as { conditions?: unknown } | undefined)?.conditions;
  if (!Array.isArray(list)) return out;
  for (const item of list as unknown[]) {
    const c = item as Partial<WrittenCondition> | null;
    if (c !== null && typeof c === 'object' && typeof c.type === 'string') out.set(c.type, c);
  }
  return out;
}

/**
 * The desired conditions with transition times: kept from `current` when the status is unchanged (and the stored time
 * is readable), `now` otherwise; and the transitions (status or reason changed, or new).
 */
export function withTransitionTimes(
  desired: readonly DesiredCondition[],
  current: unknown,
  now: Date,
): { conditions: WrittenCondition[]; transitions: ConditionTransition[] } {
  const before = readConditions(current);
  const transitions: ConditionTransition[] = [];
  const conditions = desired.map((c): WrittenCondition => {
    const old = before.get(c.type);
    const same = old?.status === c.status && typeof old.lastTransitionTime === 'string';
    if (old?.status !== c.status || old.reason !== c.reason) {
      transitions.push({ type: c.type, from: old?.status, to: c });
    }
    const lastTransitionTime =
      same && old.lastTransitionTime !== undefined ? old.lastTransitionTime : rfc3339(now);
    return { ...c, lastTransitionTime };
  });
  return { conditions, transitions };
}
