/** Kubernetes label selectors: matching labels, and reading a selector out of an object not yet validated. */
import type { LabelSelector } from '../api/v1alpha1/types.js';

/** One requirement of `matchExpressions`. */
export type LabelRequirement = NonNullable<LabelSelector['matchExpressions']>[number];

const OPERATORS: readonly LabelRequirement['operator'][] = ['In', 'NotIn', 'Exists', 'DoesNotExist'];

/** Whether one requirement holds for `labels` (Kubernetes semantics: NotIn also holds when the key is absent). */
export function requirementMatches(req: LabelRequirement, labels: Readonly<Record<string, string>>): boolean {
  const value = Object.hasOwn(labels, req.key) ? labels[req.key] : undefined;
  const values = req.values ?? [];
  switch (req.operator) {
    case 'In':
      return value !== undefined && values.includes(value);
    case 'NotIn':
      return value === undefined || !values.includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
  }
}

/** Whether `labels` satisfy the selector: every matchLabels entry AND every matchExpressions requirement. */
export function selectorMatches(selector: LabelSelector, labels: Readonly<Record<string, string>>): boolean {
  const pairs = Object.entries(selector.matchLabels ?? {});
  if (!pairs.every(([k, v]) => Object.hasOwn(labels, k) && labels[k] === v)) return false;
  return (selector.matchExpressions ?? []).every((req) => requirementMatches(req, labels));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string');
}

function readRequirement(value: unknown): LabelRequirement | undefined {
  if (!isRecord(value) || typeof value.key !== 'string' || typeof value.operator !== 'string')
    return undefined;
  const operator = OPERATORS.find((op) => op === value.operator);
  if (operator === undefined) return undefined;
  if (value.values === undefined) return { key: value.key, operator };
  return isStringArray(value.values) ? { key: value.key, operator, values: value.values } : undefined;
}

function readMatchLabels(value: unknown): Record<string, string> | undefined {
  if (!isRecord(value)) return undefined;
  const entries = Object.entries(value).filter((e): e is [string, string] => typeof e[1] === 'string');
  return entries.length === Object.keys(value).length ? Object.fromEntries(entries) : undefined;
}

function readMatchExpressions(value: unknown): LabelRequirement[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const reqs = value.map(readRequirement).filter((r) => r !== undefined);
  return reqs.length === value.length ? reqs : undefined;
}

/**
 * Reads a label selector from an unvalidated value: undefined unless it has the shape of a selector. Used to find
 * the workloads an invalid policy meant to protect, so they can fail closed.
 */
export function readSelector(value: unknown): LabelSelector | undefined {
  if (!isRecord(value)) return undefined;
  const selector: LabelSelector = {};
  if (value.matchLabels !== undefined) {
    const matchLabels = readMatchLabels(value.matchLabels);
    if (matchLabels === undefined) return undefined;
    selector.matchLabels = matchLabels;
  }
  if (value.matchExpressions !== undefined) {
    const matchExpressions = readMatchExpressions(value.matchExpressions);
    if (matchExpressions === undefined) return undefined;
    selector.matchExpressions = matchExpressions;
  }
  return selector;
}
