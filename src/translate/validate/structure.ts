/**
 * The Kubernetes-specific parts of the schema that Ajv does not check: list types (`set` items and `map` keys are
 * unique) and CEL rules (`x-kubernetes-validations`), evaluated with a CEL interpreter exactly as written in the
 * CRD, so the API server and aspen judge a policy by the same rules.
 */
import { parse } from '@marcbachmann/cel-js';
import type { CelRule } from '../../api/v1alpha1/common.js';
import type { PathSegment, Problem } from '../problem.js';

/** The parts of a JSON schema node this walk reads. */
export interface SchemaNode {
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
  'x-kubernetes-validations'?: CelRule[];
  'x-kubernetes-list-type'?: 'set' | 'map' | 'atomic';
  'x-kubernetes-list-map-keys'?: string[];
}

type CelProgram = (context: Record<string, unknown>) => unknown;
const programs = new Map<string, CelProgram>();

function program(rule: string): CelProgram {
  let compiled = programs.get(rule);
  if (compiled === undefined) {
    compiled = parse(rule) as CelProgram;
    programs.set(rule, compiled);
  }
  return compiled;
}

/**
 * Checks list types and CEL rules under `schema` for `data` located at `path`. CEL rules of a node whose subtree
 * already has schema problems (`skip`) are not evaluated, as the API server does not run CEL on values of the wrong
 * shape; list types are still checked.
 */
export function validateStructure(
  schema: SchemaNode,
  data: unknown,
  path: PathSegment[],
  skip: (path: PathSegment[]) => boolean,
): Problem[] {
  if (data === undefined) return [];
  const problems: Problem[] = skip(path) ? [] : celProblems(schema, data, path);
  if (Array.isArray(data)) {
    problems.push(...listTypeProblems(schema, data, path));
    data.forEach((item, index) => {
      if (schema.items) problems.push(...validateStructure(schema.items, item, [...path, index], skip));
    });
  } else if (data !== null && typeof data === 'object' && schema.properties) {
    for (const [key, child] of Object.entries(schema.properties)) {
      const value = (data as Record<string, unknown>)[key];
      problems.push(...validateStructure(child, value, [...path, key], skip));
    }
  }
  return problems;
}

function celProblems(schema: SchemaNode, data: unknown, path: PathSegment[]): Problem[] {
  const problems: Problem[] = [];
  for (const rule of schema['x-kubernetes-validations'] ?? []) {
    if (evaluates(rule.rule, data)) continue;
    const fieldPath = rule.fieldPath === undefined ? [] : rule.fieldPath.split('.').filter((s) => s !== '');
    problems.push({ path: [...path, ...fieldPath], message: rule.message });
  }
  return problems;
}

function evaluates(rule: string, self: unknown): boolean {
  try {
    return program(rule)({ self }) === true;
  } catch {
    // A rule that cannot be evaluated on this value fails, as in the API server: never let it pass silently.
    return false;
  }
}

function listTypeProblems(schema: SchemaNode, data: unknown[], path: PathSegment[]): Problem[] {
  const type = schema['x-kubernetes-list-type'];
  if (type === 'set') return duplicates(data, path, { keyOf: (item) => item, message: 'duplicate value' });
  if (type === 'map') {
    const keys = schema['x-kubernetes-list-map-keys'] ?? [];
    const field = (item: unknown, k: string): unknown =>
      item !== null && typeof item === 'object' ? (item as Record<string, unknown>)[k] : undefined;
    const keyOf = (item: unknown): unknown =>
      keys.length === 1 ? field(item, keys[0] ?? '') : keys.map((k) => field(item, k));
    return duplicates(data, path, { keyOf, message: `duplicate ${keys.join('/')}`, field: keys[0] });
  }
  return [];
}

/** How duplicates are found and reported. */
interface DuplicateCheck {
  keyOf: (item: unknown) => unknown;
  message: string;
  /** Field the problem is reported on, inside the duplicate item. */
  field?: string;
}

function duplicates(data: unknown[], path: PathSegment[], check: DuplicateCheck): Problem[] {
  const { keyOf, message, field } = check;
  const firstIndex = new Map<string, number>();
  const problems: Problem[] = [];
  data.forEach((item, index) => {
    const key = JSON.stringify(keyOf(item));
    const first = firstIndex.get(key);
    if (first === undefined) {
      firstIndex.set(key, index);
      return;
    }
    const at: PathSegment[] = field === undefined ? [...path, index] : [...path, index, field];
    problems.push({ path: at, message: `${message} ${JSON.stringify(keyOf(item))} (also at [${first}])` });
  });
  return problems;
}
