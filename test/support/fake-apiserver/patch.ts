/**
 * Patches: JSON merge patch (RFC 7386), JSON patch (RFC 6902: add, remove, replace, test, copy, move) and a
 * strategic merge patch approximated as a merge patch whose lists of objects with a `name` (or `type` for
 * conditions) merge by that key. Enough for the controller's writes; server-side apply is not served.
 */
import { ApiError } from './errors.js';
import { clone } from './objects.js';
import type { KubeObject } from './objects.js';

type Json = unknown;

function isObject(value: Json): value is Record<string, Json> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** RFC 7386 merge patch. */
export function mergePatch(target: Json, patch: Json): Json {
  if (!isObject(patch)) return clone(patch);
  const out: Record<string, Json> = isObject(target) ? clone(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = mergePatch(out[key], value);
  }
  return out;
}

function mergeKeyOf(items: Json[]): string | undefined {
  for (const key of ['name', 'type']) {
    if (items.length > 0 && items.every((item) => isObject(item) && typeof item[key] === 'string'))
      return key;
  }
  return undefined;
}

function strategicList(target: Json, patch: Json[]): Json {
  const key = mergeKeyOf(patch);
  if (key === undefined || !Array.isArray(target)) return clone(patch);
  const out = clone(target);
  for (const item of patch as Record<string, Json>[]) {
    const index = out.findIndex((existing) => isObject(existing) && existing[key] === item[key]);
    if (index < 0) out.push(clone(item));
    else out[index] = strategicMerge(out[index], item);
  }
  return out;
}

/** Strategic merge patch, approximated (see the module comment). */
export function strategicMerge(target: Json, patch: Json): Json {
  if (Array.isArray(patch)) return strategicList(target, patch);
  if (!isObject(patch)) return clone(patch);
  const out: Record<string, Json> = isObject(target) ? clone(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = strategicMerge(out[key], value);
  }
  return out;
}

interface Operation {
  op: string;
  path: string;
  value?: Json;
  from?: string;
}

function pointer(path: string): string[] {
  if (path === '') return [];
  return path
    .slice(1)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function parentOf(doc: Json, parts: string[]): { parent: Json; last: string } {
  let node = doc;
  for (const part of parts.slice(0, -1)) {
    node = Array.isArray(node) ? node[Number(part)] : isObject(node) ? node[part] : undefined;
    if (node === undefined)
      throw new ApiError(422, 'Invalid', `json patch: path not found: /${parts.join('/')}`);
  }
  return { parent: node, last: parts[parts.length - 1] ?? '' };
}

function readAt(doc: Json, path: string): Json {
  const { parent, last } = parentOf(doc, pointer(path));
  return Array.isArray(parent) ? parent[Number(last)] : isObject(parent) ? parent[last] : undefined;
}

function removeAt(doc: Json, path: string): void {
  const { parent, last } = parentOf(doc, pointer(path));
  if (Array.isArray(parent)) parent.splice(Number(last), 1);
  else if (isObject(parent) && last in parent) delete parent[last];
  else throw new ApiError(422, 'Invalid', `json patch: cannot remove missing ${path}`);
}

function addAt(doc: Json, path: string, value: Json, replace: boolean): void {
  const { parent, last } = parentOf(doc, pointer(path));
  if (Array.isArray(parent)) {
    const index = last === '-' ? parent.length : Number(last);
    parent.splice(index, replace ? 1 : 0, clone(value));
  } else if (isObject(parent)) parent[last] = clone(value);
  else throw new ApiError(422, 'Invalid', `json patch: no parent for ${path}`);
}

function testAt(doc: Json, op: Operation): void {
  if (JSON.stringify(readAt(doc, op.path)) !== JSON.stringify(op.value))
    throw new ApiError(422, 'Invalid', `json patch: test failed at ${op.path}`);
}

function moveAt(doc: Json, op: Operation): void {
  const value = readAt(doc, op.from ?? '');
  removeAt(doc, op.from ?? '');
  addAt(doc, op.path, value, false);
}

const OPERATIONS: Record<string, (doc: Json, op: Operation) => void> = {
  add: (doc, op) => addAt(doc, op.path, op.value, false),
  replace: (doc, op) => addAt(doc, op.path, op.value, true),
  remove: (doc, op) => removeAt(doc, op.path),
  copy: (doc, op) => addAt(doc, op.path, readAt(doc, op.from ?? ''), false),
  move: moveAt,
  test: testAt,
};

function applyOperation(doc: Json, op: Operation): void {
  const apply = OPERATIONS[op.op];
  if (apply === undefined) throw new ApiError(422, 'Invalid', `json patch: unknown op ${op.op}`);
  apply(doc, op);
}

/** RFC 6902 JSON patch. */
export function jsonPatch(target: KubeObject, operations: Json): KubeObject {
  if (!Array.isArray(operations)) throw new ApiError(400, 'BadRequest', 'json patch body must be an array');
  const doc = clone(target);
  for (const op of operations as Operation[]) applyOperation(doc, op);
  return doc;
}

/** Applies a patch of the given Content-Type; 415 for types not served. */
export function applyPatch(contentType: string, target: KubeObject, patch: Json): KubeObject {
  const type = contentType.split(';')[0]?.trim() ?? '';
  if (type === 'application/merge-patch+json') return mergePatch(target, patch) as KubeObject;
  if (type === 'application/strategic-merge-patch+json') return strategicMerge(target, patch) as KubeObject;
  if (type === 'application/json-patch+json') return jsonPatch(target, patch);
  throw new ApiError(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format: ${type}`,
  );
}
