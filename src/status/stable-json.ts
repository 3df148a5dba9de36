/** JSON with object keys sorted at every level, for comparing objects whose key order differs (API server output). */

/** Serialises `value` with sorted keys; `undefined` members are left out, as JSON.stringify does. */
export function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    const sorted: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) sorted[k] = (v as Record<string, unknown>)[k];
    return sorted;
  });
}
