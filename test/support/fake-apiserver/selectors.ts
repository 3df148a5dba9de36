/**
 * Label and field selectors as the API server parses them from query strings: `a=b`, `a==b`, `a!=b`, `a in (x,y)`,
 * `a notin (x)`, `a`, `!a`; field selectors on `metadata.name` and `metadata.namespace`.
 */
import { ApiError } from './errors.js';
import { labelsOf, metaString } from './objects.js';
import type { KubeObject } from './objects.js';

/** A compiled selector. */
export type Selector = (obj: KubeObject) => boolean;

/** Splits on commas outside parentheses. */
function terms(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(') depth += 1;
    if (ch === ')') depth -= 1;
    if (ch === ',' && depth === 0) {
      out.push(current.trim());
      current = '';
    } else current += ch;
  }
  if (current.trim() !== '') out.push(current.trim());
  return out;
}

const SET = /^([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)$/;
const EQUALITY = /^([\w./-]+)\s*(==|=|!=)\s*([\w./-]*)$/;
const EXISTS = /^(!?)([\w./-]+)$/;

function labelTerm(term: string): Selector {
  const set = SET.exec(term);
  if (set !== null) {
    const [, key = '', op, list = ''] = set;
    const values = list.split(',').map((v) => v.trim());
    return (obj) => {
      const value = labelsOf(obj)[key];
      const inSet = value !== undefined && values.includes(value);
      return op === 'in' ? inSet : !inSet;
    };
  }
  const eq = EQUALITY.exec(term);
  if (eq !== null) {
    const [, key = '', op, value] = eq;
    return (obj) => (labelsOf(obj)[key] === value) === (op !== '!=');
  }
  const exists = EXISTS.exec(term);
  if (exists !== null) {
    const [, bang, key = ''] = exists;
    return (obj) => (labelsOf(obj)[key] !== undefined) === (bang !== '!');
  }
  throw new ApiError(400, 'BadRequest', `unable to parse requirement: ${term}`);
}

/** Compiles a labelSelector query parameter (empty → everything). */
export function labelSelector(text: string | null): Selector {
  const compiled = terms(text ?? '').map(labelTerm);
  return (obj) => compiled.every((match) => match(obj));
}

function fieldTerm(term: string): Selector {
  const eq = EQUALITY.exec(term);
  const field = eq?.[1];
  if (eq === null || (field !== 'metadata.name' && field !== 'metadata.namespace'))
    throw new ApiError(400, 'BadRequest', `field label not supported: ${term}`);
  const [, , op, value] = eq;
  const metaField = field === 'metadata.name' ? 'name' : 'namespace';
  return (obj) => (metaString(obj, metaField) === value) === (op !== '!=');
}

/** Compiles a fieldSelector query parameter (metadata.name / metadata.namespace only). */
export function fieldSelector(text: string | null): Selector {
  const compiled = terms(text ?? '').map(fieldTerm);
  return (obj) => compiled.every((match) => match(obj));
}
