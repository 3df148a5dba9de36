/** Small helpers over plain Kubernetes objects (JSON records) used by the fake API server. */

/** A Kubernetes object as JSON. */
export type KubeObject = Record<string, unknown>;

/** An object's metadata (created when absent). */
export function metadataOf(obj: KubeObject): Record<string, unknown> {
  const meta = obj['metadata'];
  if (typeof meta === 'object' && meta !== null && !Array.isArray(meta))
    return meta as Record<string, unknown>;
  const fresh: Record<string, unknown> = {};
  obj['metadata'] = fresh;
  return fresh;
}

/** A string field of metadata, or ''. */
export function metaString(obj: KubeObject, field: string): string {
  const value = metadataOf(obj)[field];
  return typeof value === 'string' ? value : '';
}

/** Labels of an object ({} when none). */
export function labelsOf(obj: KubeObject): Record<string, string> {
  const labels = metadataOf(obj)['labels'];
  if (typeof labels !== 'object' || labels === null) return {};
  return labels as Record<string, string>;
}

/** A deep copy through JSON (what goes over the wire anyway). */
export function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** The object without metadata and status: what a change to bumps `metadata.generation`. */
export function specPart(obj: KubeObject): KubeObject {
  const rest: KubeObject = {};
  for (const [key, value] of Object.entries(obj)) {
    if (key !== 'metadata' && key !== 'status') rest[key] = value;
  }
  return rest;
}
