/**
 * The one validator of ApiSecurityPolicies, used by `aspen validate`, the translator (hence the controller) and the
 * admission webhook, so they can never disagree. Order: apiVersion/kind, envelope, schema (with defaults), list
 * types and CEL rules, then semantic checks once the shape is right.
 */
import { ApiSecurityPolicySpec as SpecSchema } from '../../api/v1alpha1/policy.js';
import type { ApiSecurityPolicy, ApiSecurityPolicySpec } from '../../api/v1alpha1/types.js';
import { formatPath, type Problem } from '../problem.js';
import { envelopeProblems, typeProblems } from './envelope.js';
import { validateSpecSchema } from './schema.js';
import { semanticProblems } from './semantic/spec.js';
import { validateStructure, type SchemaNode } from './structure.js';

/** Outcome of validating one policy object. */
export interface PolicyValidation {
  /** The policy with defaults applied; present only when there are no problems. */
  policy?: ApiSecurityPolicy;
  /** Every problem found, each with its field path from the object root. */
  problems: Problem[];
  /** `UnsupportedVersion` when the apiVersion is not served; `Invalid` for any other problem. */
  reason?: 'Invalid' | 'UnsupportedVersion';
}

/** Options of validatePolicy. */
export interface ValidateOptions {
  /** Namespace for an object without metadata.namespace (default `default`). */
  namespace?: string;
}

/** Validates one object of the aspen.dev group (as read, unvalidated) and returns it defaulted when valid. */
export function validatePolicy(
  object: Record<string, unknown>,
  options: ValidateOptions = {},
): PolicyValidation {
  const typed = typeProblems(object);
  if (typed.problems.length > 0) {
    return { problems: typed.problems, reason: typed.unsupportedVersion ? 'UnsupportedVersion' : 'Invalid' };
  }
  const envelope = envelopeProblems(object);
  if (envelope.some((p) => p.path[0] === 'spec' && p.path.length === 1))
    return { problems: envelope, reason: 'Invalid' };
  const spec = structuredClone(object.spec);
  const schema = validateSpecSchema(spec);
  const failed = new Set(schema.map((p) => formatPath(p.path)));
  const skip = (path: Parameters<typeof formatPath>[0]): boolean => hasFailedPrefix(formatPath(path), failed);
  const structure = validateStructure(SpecSchema as SchemaNode, spec, ['spec'], skip);
  const shapeProblems = [...envelope, ...schema, ...structure];
  // Semantic checks read typed values: on a spec with shape problems they run guarded, and say nothing about
  // fields (or their parents) that already have a problem.
  const semantic =
    shapeProblems.length === 0
      ? semanticProblems(spec as ApiSecurityPolicySpec)
      : guardedSemanticProblems(
          spec as ApiSecurityPolicySpec,
          new Set(shapeProblems.map((p) => formatPath(p.path))),
        );
  const problems = [...shapeProblems, ...semantic];
  if (problems.length > 0) return { problems: sortProblems(problems), reason: 'Invalid' };
  return { policy: defaulted(object, spec as ApiSecurityPolicySpec, options), problems: [] };
}

function guardedSemanticProblems(spec: ApiSecurityPolicySpec, failed: Set<string>): Problem[] {
  let problems: Problem[];
  try {
    problems = semanticProblems(spec);
  } catch {
    return []; // A value of the wrong type: its schema problem is already reported.
  }
  return problems.filter((p) => {
    const path = formatPath(p.path);
    return ![...failed].some((f) => isAtOrBelow(path, f) || isAtOrBelow(f, path));
  });
}

/** True when dotted path `path` is `ancestor` or lies below it. */
function isAtOrBelow(path: string, ancestor: string): boolean {
  return path === ancestor || path.startsWith(`${ancestor}.`) || path.startsWith(`${ancestor}[`);
}

function hasFailedPrefix(path: string, failed: Set<string>): boolean {
  for (const f of failed) if (isAtOrBelow(f, path)) return true;
  return false;
}

function sortProblems(problems: Problem[]): Problem[] {
  return problems.sort((a, b) => formatPath(a.path).localeCompare(formatPath(b.path)));
}

function defaulted(
  object: Record<string, unknown>,
  spec: ApiSecurityPolicySpec,
  options: ValidateOptions,
): ApiSecurityPolicy {
  const metadata = structuredClone(object.metadata) as ApiSecurityPolicy['metadata'];
  metadata.namespace ??= options.namespace ?? 'default';
  return { apiVersion: String(object.apiVersion), kind: String(object.kind), metadata, spec };
}
