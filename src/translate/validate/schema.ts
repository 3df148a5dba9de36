/**
 * Schema validation of a policy spec with Ajv against the API's TypeBox schema, with schema defaults applied (as
 * the API server applies the CRD's defaults). Ajv's errors become Problems with field paths and plain messages.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { ApiSecurityPolicySpec } from '../../api/v1alpha1/policy.js';
import type { PathSegment, Problem } from '../problem.js';
import { patternMessage } from './pattern-messages.js';

/** Keywords of Kubernetes structural schemas that Ajv does not know; the validator enforces them itself. */
const KUBERNETES_KEYWORDS = [
  'x-kubernetes-validations',
  'x-kubernetes-list-type',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-map-type',
];

let compiled: ValidateFunction | undefined;

/** The compiled spec validator (compiled once, on first use: compiling is pure and costs ~ms). */
function specValidator(): ValidateFunction {
  if (compiled === undefined) {
    const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: true, strictTypes: false });
    for (const keyword of KUBERNETES_KEYWORDS)
      ajv.addKeyword({ keyword, schemaType: ['array', 'string', 'object'] });
    compiled = ajv.compile(ApiSecurityPolicySpec);
  }
  return compiled;
}

/** Validates `spec` in place (defaults are written into it) and returns problems with paths from the object root. */
export function validateSpecSchema(spec: unknown): Problem[] {
  const validate = specValidator();
  if (validate(spec)) return [];
  const seen = new Set<string>();
  const problems: Problem[] = [];
  for (const error of validate.errors ?? []) {
    const problem = toProblem(error, spec);
    if (problem === undefined) continue;
    const key = `${problem.path.join('\u0000')}\u0001${problem.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push(problem);
  }
  return problems;
}

/** Splits a JSON pointer into path segments, using the data to tell list indexes from keys. */
export function pointerToPath(pointer: string, data: unknown): PathSegment[] {
  const path: PathSegment[] = [];
  let node = data;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node)) {
      const index = Number(key);
      path.push(index);
      node = node[index] as unknown;
    } else {
      path.push(key);
      node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined;
    }
  }
  return path;
}

function toProblem(error: ErrorObject, spec: unknown): Problem | undefined {
  const path: PathSegment[] = ['spec', ...pointerToPath(error.instancePath, spec)];
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties':
      return { path: [...path, String(params.additionalProperty)], message: 'unknown field' };
    case 'required':
      return { path: [...path, String(params.missingProperty)], message: 'required field is missing' };
    case 'enum':
      return { path, message: `must be one of: ${(params.allowedValues as unknown[]).join(', ')}` };
    case 'type':
      return { path, message: `must be ${article(String(params.type))}` };
    case 'pattern':
      return { path, message: patternMessage(String(params.pattern)) };
    default:
      return { path, message: error.message ?? `fails ${error.keyword}` };
  }
}

function article(type: string): string {
  const names: Record<string, string> = {
    object: 'an object',
    array: 'a list',
    integer: 'an integer',
    string: 'a string',
    boolean: 'true or false',
    number: 'a number',
  };
  return names[type] ?? type;
}
