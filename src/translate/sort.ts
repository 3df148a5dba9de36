/** Sorting helpers: every list in the IR and in statuses is sorted, so output is stable and diffable. */

/** Compares strings by UTF-16 code units (locale-independent, the same on every machine). */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

/** The distinct strings of `values`, sorted. */
export function sortedUnique(values: Iterable<string>): string[] {
  return [...new Set(values)].sort(compareStrings);
}

/** Sorts objects by their `id` (a copy). */
export function sortById<T extends { id: string }>(items: readonly T[]): T[] {
  return [...items].sort((a, b) => compareStrings(a.id, b.id));
}
