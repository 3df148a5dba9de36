/** PGV's comparison rules (`gt`, `gte`, `lt`, `lte`), shared by numbers and durations. */

/** Bounds of one field, already converted to comparable values. */
export interface Bounds<T> {
  gt?: T | undefined;
  gte?: T | undefined;
  lt?: T | undefined;
  lte?: T | undefined;
}

/** Lower and upper bound of a range, each inclusive or not. */
interface Edge<T> {
  value: T;
  inclusive: boolean;
}

function lowerOf<T>(b: Bounds<T>): Edge<T> | undefined {
  if (b.gt !== undefined) return { value: b.gt, inclusive: false };
  if (b.gte !== undefined) return { value: b.gte, inclusive: true };
  return undefined;
}

function upperOf<T>(b: Bounds<T>): Edge<T> | undefined {
  if (b.lt !== undefined) return { value: b.lt, inclusive: false };
  if (b.lte !== undefined) return { value: b.lte, inclusive: true };
  return undefined;
}

function aboveLower<T>(v: T, lo: Edge<T>): boolean {
  return lo.inclusive ? v >= lo.value : v > lo.value;
}

function belowUpper<T>(v: T, hi: Edge<T>): boolean {
  return hi.inclusive ? v <= hi.value : v < hi.value;
}

function oneSided<T>(
  v: T,
  lo: Edge<T> | undefined,
  hi: Edge<T> | undefined,
  show: (t: T) => string,
): string[] {
  if (lo !== undefined && !aboveLower(v, lo)) {
    return [`value must be greater than ${lo.inclusive ? 'or equal to ' : ''}${show(lo.value)}`];
  }
  if (hi !== undefined && !belowUpper(v, hi)) {
    return [`value must be less than ${hi.inclusive ? 'or equal to ' : ''}${show(hi.value)}`];
  }
  return [];
}

function twoSided<T>(v: T, lo: Edge<T>, hi: Edge<T>, show: (t: T) => string): string[] {
  if (hi.value > lo.value) {
    if (aboveLower(v, lo) && belowUpper(v, hi)) return [];
    const open = lo.inclusive ? '[' : '(';
    const close = hi.inclusive ? ']' : ')';
    return [`value must be inside range ${open}${show(lo.value)}, ${show(hi.value)}${close}`];
  }
  // Exclusive range: the value must lie outside [hi, lo].
  if (aboveLower(v, lo) || belowUpper(v, hi)) return [];
  const open = hi.inclusive ? '(' : '[';
  const close = lo.inclusive ? ')' : ']';
  return [`value must be outside range ${open}${show(hi.value)}, ${show(lo.value)}${close}`];
}

/**
 * The violation of a value against its bounds, worded as PGV does: one-sided (`value must be greater than 0`),
 * inside a range (`value must be inside range [1, 10)`) or, when the upper bound is below the lower, outside one.
 */
export function rangeProblem<T>(v: T, bounds: Bounds<T>, show: (t: T) => string): string[] {
  const lo = lowerOf(bounds);
  const hi = upperOf(bounds);
  return lo === undefined || hi === undefined ? oneSided(v, lo, hi, show) : twoSided(v, lo, hi, show);
}
