/** The status the translator computes for one policy: conditions, problems and the number of workloads. */
import type { Conflict } from './conflict.js';
import type { PolicyEntry } from './policy-entry.js';
import type { Problem } from './problem.js';
import type { SegmentationOverlap } from './segmentation-union.js';
import { overlapMessage } from './segmentation-union.js';
import type { ConditionIR, PolicyStatus } from './status.js';
import { conflictProblems } from './conflict.js';
import { formatPath } from './problem.js';
import { ConditionType, Reason } from './status.js';
import { compareStrings } from './sort.js';

/** Field path of the one setting that is accepted but not enforced yet. */
const OPENAPI_PATH = ['spec', 'requestValidation', 'openapi'];

/** `<field.path>: <message>` of the first problem, plus `(and N more)` when there are others. */
export function summarize(problems: readonly Problem[]): string {
  const [first] = problems;
  if (first === undefined) return '';
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : '';
  return `${formatPath(first.path)}: ${first.message}${more}`;
}

function condition(type: string, ok: boolean, reason: string, message: string): ConditionIR {
  return { type, status: ok ? 'True' : 'False', reason, message };
}

function accepted(conflicts: readonly Problem[]): ConditionIR {
  if (conflicts.length > 0)
    return condition(ConditionType.Accepted, false, Reason.Conflicted, summarize(conflicts));
  return condition(ConditionType.Accepted, true, Reason.Accepted, 'The policy is valid');
}

function resolvedRefs(entry: PolicyEntry): ConditionIR {
  const [first] = entry.refProblems;
  if (first === undefined) {
    return condition(ConditionType.ResolvedRefs, true, Reason.ResolvedRefs, 'Every reference resolves');
  }
  return condition(ConditionType.ResolvedRefs, false, first.reason, summarize(entry.refProblems));
}

function warnings(entry: PolicyEntry, overlaps: readonly SegmentationOverlap[]): ConditionIR {
  const found: { reason: string; message: string }[] = [];
  if (entry.policy?.spec.requestValidation?.openapi !== undefined) {
    const message = `${formatPath(OPENAPI_PATH)}: accepted but not enforced yet; requests are not checked against it`;
    found.push({ reason: Reason.NotYetEnforced, message });
  }
  if (overlaps.length > 0)
    found.push({ reason: Reason.SegmentationUnion, message: overlapMessage(overlaps) });
  const [first] = found;
  if (first === undefined) return condition(ConditionType.Warnings, false, Reason.NoWarnings, 'No warnings');
  const message = found.map((w) => w.message).join('; ');
  return { type: ConditionType.Warnings, status: 'True', reason: first.reason, message };
}

function invalidStatus(entry: PolicyEntry): Pick<PolicyStatus, 'conditions' | 'problems'> {
  const { problems, reason } = entry.validation;
  const message = summarize(problems) || 'the policy is invalid';
  return {
    conditions: [condition(ConditionType.Accepted, false, reason ?? Reason.Invalid, message)],
    problems: [...problems],
  };
}

function validStatus(
  entry: PolicyEntry,
  conflicts: readonly Conflict[],
  overlaps: readonly SegmentationOverlap[],
): Pick<PolicyStatus, 'conditions' | 'problems'> {
  const conflicted = conflictProblems(conflicts, entry.key);
  const refs = entry.refProblems.map(({ path, message }) => ({ path, message }));
  return {
    conditions: [accepted(conflicted), resolvedRefs(entry), warnings(entry, overlaps)],
    problems: [...refs, ...conflicted],
  };
}

/**
 * The status of one prepared policy, given every conflict found while building proxies and where its segmentation
 * meets another policy's (see segmentation-union.ts).
 */
export function policyStatus(
  entry: PolicyEntry,
  conflicts: readonly Conflict[],
  overlaps: readonly SegmentationOverlap[] = [],
): PolicyStatus {
  const { conditions, problems } =
    entry.policy === undefined ? invalidStatus(entry) : validStatus(entry, conflicts, overlaps);
  return {
    namespace: entry.raw.namespace,
    name: entry.raw.name,
    observedGeneration: entry.raw.generation,
    workloads: entry.coverage.size,
    conditions: conditions.sort((a, b) => compareStrings(a.type, b.type)),
    problems,
  };
}
