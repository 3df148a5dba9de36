/** PGV rules on the well-known message types it knows: google.protobuf.Duration and google.protobuf.Any. */
import { rangeProblem } from './range.js';
import type { AnyRules, DurationRules } from './rules.js';
import { goList } from './scalars.js';

/** A ts-proto Duration. */
export interface DurationValue {
  seconds: number;
  nanos: number;
}

const MAX_SECONDS = 315_576_000_000;
const NANOS = 1_000_000_000n;

/** Nanoseconds of a JSON duration (`"1.5s"`, `"-0.001s"`). */
export function parseJsonDuration(text: string): bigint {
  const m = /^(-?)(\d+)(?:\.(\d{1,9}))?s$/.exec(text);
  if (m === null) throw new Error(`not a JSON duration: ${text}`);
  const nanos = BigInt(m[2] ?? '0') * NANOS + BigInt((m[3] ?? '').padEnd(9, '0'));
  return m[1] === '-' ? -nanos : nanos;
}

/** Go's `time.Duration.String()` of a nanosecond count (`0s`, `250ms`, `1.5s`, `5m0s`). */
export function goDuration(nanos: bigint): string {
  if (nanos === 0n) return '0s';
  const sign = nanos < 0n ? '-' : '';
  const n = nanos < 0n ? -nanos : nanos;
  if (n < NANOS) {
    const [unit, size] = n < 1000n ? ['ns', 1n] : n < 1_000_000n ? ['µs', 1000n] : ['ms', 1_000_000n];
    return `${sign}${fraction(n, size)}${unit}`;
  }
  const hours = n / (3600n * NANOS);
  const minutes = (n / (60n * NANOS)) % 60n;
  const seconds = fraction(n % (60n * NANOS), NANOS);
  const h = hours > 0n ? `${hours}h` : '';
  const m = hours > 0n || minutes > 0n ? `${minutes}m` : '';
  return `${sign}${h}${m}${seconds}s`;
}

/** `n / size` as a decimal without trailing zeros. */
function fraction(n: bigint, size: bigint): string {
  const whole = n / size;
  const rest = n % size;
  if (rest === 0n) return String(whole);
  const digits = String(size).length - 1;
  return `${whole}.${String(rest).padStart(digits, '0').replace(/0+$/, '')}`;
}

/** Why a Duration is not a valid google.protobuf.Duration, or undefined. */
function invalidDuration(d: DurationValue): string | undefined {
  const valid =
    Math.abs(d.seconds) <= MAX_SECONDS &&
    Math.abs(d.nanos) < 1e9 &&
    !(d.seconds > 0 && d.nanos < 0) &&
    !(d.seconds < 0 && d.nanos > 0);
  return valid ? undefined : 'value is not a valid duration';
}

function opt(text: string | undefined): bigint | undefined {
  return text === undefined ? undefined : parseJsonDuration(text);
}

/** Violations of a set Duration (an unset one is checked by `required` only). */
export function checkDuration(rules: DurationRules, d: DurationValue): string[] {
  const invalid = invalidDuration(d);
  if (invalid !== undefined) return [invalid];
  const v = BigInt(d.seconds) * NANOS + BigInt(d.nanos);
  const listed = durationLists(rules, v);
  if (listed !== undefined) return listed;
  const bounds = { gt: opt(rules.gt), gte: opt(rules.gte), lt: opt(rules.lt), lte: opt(rules.lte) };
  return rangeProblem(v, bounds, goDuration);
}

/** `const`, `in` and `not_in` of a Duration: the violation, or undefined when those hold. */
function durationLists(rules: DurationRules, v: bigint): string[] | undefined {
  if (rules.const !== undefined && v !== parseJsonDuration(rules.const)) {
    return [`value must equal ${goDuration(parseJsonDuration(rules.const))}`];
  }
  const ins = rules.in?.map(parseJsonDuration) ?? [];
  if (ins.length > 0 && !ins.includes(v)) return [`value must be in list ${goList(ins.map(goDuration))}`];
  const outs = rules.not_in?.map(parseJsonDuration) ?? [];
  if (outs.includes(v)) return [`value must not be in list ${goList(outs.map(goDuration))}`];
  return undefined;
}

/** Violations of a set Any's type URL. */
export function checkAny(rules: AnyRules, typeUrl: string): string[] {
  if (rules.in !== undefined && rules.in.length > 0 && !rules.in.includes(typeUrl)) {
    return [`type URL must be in list ${goList(rules.in)}`];
  }
  if (rules.not_in?.includes(typeUrl) === true)
    return [`type URL must not be in list ${goList(rules.not_in)}`];
  return [];
}
