/**
 * RFC 6902 JSON patches as the injector writes them: whole values replaced at a few fixed paths
 * (`/metadata/annotations`, `/spec/containers`, …), `add` where the path is absent, `replace` where it differs.
 * Coarse on purpose: easy to read in a golden file, and the webhook is the only writer of those fields during admission.
 */

/** One RFC 6902 operation (only the two kinds the injector writes). */
export interface JsonPatchOperation {
  /** `add` (the member is absent) or `replace` (it is present). */
  readonly op: 'add' | 'replace';
  /** JSON pointer (RFC 6901). */
  readonly path: string;
  /** The new value. */
  readonly value: unknown;
}

type JsonRecord = Record<string, unknown>;

function isRecord(value: unknown): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function escapeSegment(segment: string): string {
  return segment.replaceAll('~', '~0').replaceAll('/', '~1');
}

function at(root: unknown, path: readonly string[]): unknown {
  let node = root;
  for (const segment of path) node = isRecord(node) ? node[segment] : undefined;
  return node;
}

/** Stable JSON for comparison (member order ignored). */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (isRecord(value)) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * The operations that turn `before` into `after` at each of `paths` (each a list of member names). A parent that
 * does not exist yet is added whole, so `paths` should list parents before children only when both may change.
 */
export function diffAt(
  before: unknown,
  after: unknown,
  paths: readonly (readonly string[])[],
): JsonPatchOperation[] {
  const operations: JsonPatchOperation[] = [];
  for (const path of paths) {
    const next = at(after, path);
    const previous = at(before, path);
    if (next === undefined || canonical(previous) === canonical(next)) continue;
    const parent = path.slice(0, -1);
    if (parent.length > 0 && !isRecord(at(before, parent))) {
      throw new Error(`cannot patch /${path.join('/')}: its parent is absent`);
    }
    operations.push({
      op: previous === undefined ? 'add' : 'replace',
      path: `/${path.map(escapeSegment).join('/')}`,
      value: next,
    });
  }
  return operations;
}

/** Applies operations written by {@link diffAt} to a copy of `document` (tests and the standalone tool use it). */
export function applyPatch<T>(document: T, operations: readonly JsonPatchOperation[]): T {
  const copy = structuredClone(document) as unknown;
  for (const operation of operations) {
    const segments = operation.path
      .slice(1)
      .split('/')
      .map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'));
    const last = segments.pop() ?? '';
    const parent = at(copy, segments);
    if (!isRecord(parent)) throw new Error(`patch path ${operation.path}: parent is not an object`);
    if (operation.op === 'replace' && !(last in parent)) {
      throw new Error(`patch path ${operation.path}: replace of an absent member`);
    }
    parent[last] = structuredClone(operation.value);
  }
  return copy as T;
}
