/**
 * Secret rotation planning: which proxies need a new workload certificate now, and when to look again. Pure: the
 * issued certificates and the clock are arguments; the timer that acts on the plan lives at the edge (`serve`).
 */
import type { Clock } from '../../ca/types.js';

/** What was last issued to one proxy. */
export interface IssuedRecord {
  /** The proxy (stream) key, e.g. `<namespace>/<pod>` or the snapshot key. */
  readonly proxyKey: string;
  /** When its certificate is due for renewal (from `proxySecrets`). */
  readonly renewAt: Date;
}

/** The outcome of {@link planRotation}. */
export interface RotationPlan {
  /** Proxies whose certificate must be reissued now, sorted. */
  readonly due: readonly string[];
  /** The earliest future renewal among the others; undefined when none is pending. */
  readonly nextWakeAt: Date | undefined;
}

/**
 * Splits `issued` into the proxies due now (renewAt at or before the clock) and the next wake-up time for the rest.
 * Records are independent: list each proxy once, with its latest certificate.
 */
export function planRotation(issued: Iterable<IssuedRecord>, clock: Clock): RotationPlan {
  const now = clock().getTime();
  const due = new Set<string>();
  let next: number | undefined;
  for (const record of issued) {
    const at = record.renewAt.getTime();
    if (at <= now) {
      due.add(record.proxyKey);
    } else if (next === undefined || at < next) {
      next = at;
    }
  }
  return { due: [...due].sort(), nextWakeAt: next === undefined ? undefined : new Date(next) };
}

/** Milliseconds from now until `plan.nextWakeAt` (0 when due already), or undefined when nothing is pending. */
export function delayUntilWake(plan: RotationPlan, clock: Clock): number | undefined {
  if (plan.nextWakeAt === undefined) return undefined;
  return Math.max(0, plan.nextWakeAt.getTime() - clock().getTime());
}
