/** Figures the benchmarks print: median and spread of repeated runs, percentiles, the machine they ran on. */
import os from 'node:os';

/** The value at quantile `q` (0–1) of `values` (nearest rank); NaN for an empty list. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] as number;
}

/** Median, min and max of repeated measurements. */
export interface Spread {
  median: number;
  min: number;
  max: number;
  runs: number;
}

/** The spread of `values`. */
export function spread(values: readonly number[]): Spread {
  return {
    median: quantile(values, 0.5),
    min: Math.min(...values),
    max: Math.max(...values),
    runs: values.length,
  };
}

/** `123 ms (min 110, max 140, 5 runs)`. */
export function formatSpread(s: Spread, unit = 'ms', digits = 0): string {
  const f = (n: number): string => n.toFixed(digits);
  return `${f(s.median)} ${unit} (min ${f(s.min)}, max ${f(s.max)}, ${s.runs} run${s.runs === 1 ? '' : 's'})`;
}

/** One line about the machine and runtime, printed before every benchmark. */
export function machineLine(): string {
  const cpus = os.cpus();
  const load = os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
  const memory = `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`;
  return `machine: ${cpus.length} × ${cpus[0]?.model ?? 'unknown CPU'}, ${memory}, load ${load}; node ${process.version}`;
}

/** Milliseconds since an origin, with sub-millisecond precision. */
export function elapsed(since: number): number {
  return performance.now() - since;
}

/** A result line for the summary: figure, target and whether it is met. */
export interface Result {
  bench: string;
  figure: string;
  target: string;
  met: boolean | undefined;
}
