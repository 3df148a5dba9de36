/**
 * When a proxy's SVID should be renewed: at half its lifetime, with jitter so a fleet issued together does not
 * renew together. Pure: the clock and the random source are arguments.
 */
import type { Clock, RandomSource } from './types.js';

/** Tuning for {@link renewalTime}. */
export interface RenewalOptions {
  /** Fraction of the lifetime at which to renew; default 0.5. */
  readonly at?: number;
  /** Maximum jitter either side, as a fraction of the lifetime; default 0.1 (so 40 %–60 %). */
  readonly jitter?: number;
}

/** The validity window of a certificate. */
export interface ValidityWindow {
  /** Start of validity. */
  readonly notBefore: Date;
  /** End of validity. */
  readonly notAfter: Date;
}

/**
 * The instant to renew `svid`: `notBefore + lifetime × (at ± jitter)`, with `random()` in [0, 1) choosing the point
 * in the jitter window (0 → earliest, 0.5 → exactly `at`). Never earlier than now (an SVID loaded late renews
 * immediately) and never later than `notAfter`.
 */
export function renewalTime(
  svid: ValidityWindow,
  clock: Clock,
  random: RandomSource,
  options: RenewalOptions = {},
): Date {
  const start = svid.notBefore.getTime();
  const end = svid.notAfter.getTime();
  const lifetime = Math.max(0, end - start);
  const r = Math.min(1, Math.max(0, random()));
  const fraction = (options.at ?? 0.5) + (options.jitter ?? 0.1) * (2 * r - 1);
  const planned = start + lifetime * fraction;
  return new Date(Math.min(end, Math.max(clock().getTime(), planned)));
}
