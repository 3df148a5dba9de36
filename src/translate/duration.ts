/** Go-style durations (`500ms`, `5s`, `10m`, `1h30m`, `1.5s`) as the API writes them. */

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const WHOLE = /^(?:[0-9]+(?:\.[0-9]+)?(?:ms|s|m|h))+$/;
const TERM = /([0-9]+(?:\.[0-9]+)?)(ms|s|m|h)/g;

/**
 * Parses a duration into whole milliseconds (rounded to the nearest millisecond). Returns undefined when the text is
 * not a duration; the validator has already refused such values, so callers treat undefined as "use the default".
 */
export function parseDuration(text: string): number | undefined {
  if (!WHOLE.test(text)) return undefined;
  let total = 0;
  for (const [, amount, unit] of text.matchAll(TERM)) {
    total += Number(amount) * (UNIT_MS[unit ?? ''] ?? 0);
  }
  return Math.round(total);
}

/** Parses `text` when present and valid, otherwise parses `fallback` (a schema default, always valid). */
export function durationMs(text: string | undefined, fallback: string): number {
  return (text === undefined ? undefined : parseDuration(text)) ?? parseDuration(fallback) ?? 0;
}
