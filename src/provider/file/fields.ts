/**
 * Safe readers for fields of objects read from YAML: each returns undefined (or an empty value) for anything of the
 * wrong shape instead of throwing, so a malformed manifest is skipped field by field.
 */

/** The value as a plain object, or undefined when it is not a mapping. */
export function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/** The value as a list, or an empty list when it is not one. */
export function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? (value as unknown[]) : [];
}

/** The value when it is a non-empty string. */
export function asString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The value when it is a port number (an integer from 1 to 65535). */
export function asPort(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 65535
    ? value
    : undefined;
}

/** The string-valued entries of a mapping (labels, annotations, selectors); other entries are dropped. */
export function stringMap(value: unknown): Record<string, string> {
  // fromEntries defines own properties, so even a key named `__proto__` stays data.
  return Object.fromEntries(
    Object.entries(asRecord(value) ?? {}).filter(
      (entry): entry is [string, string] => typeof entry[1] === 'string',
    ),
  );
}

/** The API group of an `apiVersion` (`apps/v1` → `apps`, `v1` → the core group ``). */
export function apiGroup(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash === -1 ? '' : apiVersion.slice(0, slash);
}

/** Orders by namespace, then name, comparing code units (stable across locales). */
export function byNamespaceName(
  a: { namespace: string; name: string },
  b: { namespace: string; name: string },
): number {
  return compareStrings(a.namespace, b.namespace) || compareStrings(a.name, b.name);
}

/** Compares two strings by code units. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
