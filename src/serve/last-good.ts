/**
 * The last valid version of each policy, across rebuilds of `aspen serve`. An edit that makes a policy invalid is
 * refused, as the admission webhook refuses it in a cluster: the policy's last valid version stays in force, so a
 * half-edited file neither opens traffic nor makes its workloads deny everything. A policy that was never valid
 * fails closed, as everywhere in aspen.
 */
import type { RawPolicy } from '../provider/snapshot.js';
import { formatPath } from '../translate/problem.js';
import type { PolicyValidator } from '../translate/policy-entry.js';
import { validatePolicy } from '../translate/validate/index.js';

/** Policy key (`<namespace>/<name>`) → its last valid version as read. */
export type LastGoodPolicies = ReadonlyMap<string, RawPolicy>;

/** An invalid edit that was refused, with its first problems. */
export interface RefusedEdit {
  /** `<namespace>/<name>`. */
  policy: string;
  /** `<field.path>: <message>` of each problem. */
  problems: string[];
}

/** What applying the memory to one load gives. */
export interface LastGoodResult {
  /** The policies to translate: invalid edits replaced by their last valid version. */
  policies: RawPolicy[];
  /** The memory for the next rebuild (policies no longer in the directory are forgotten). */
  lastGood: Map<string, RawPolicy>;
  /** Edits refused this time. */
  refused: RefusedEdit[];
}

/** Applies the last-good rule to the policies of one load (`validate`: the validator, e.g. a memo's). Pure. */
export function keepLastGood(
  policies: readonly RawPolicy[],
  memory: LastGoodPolicies,
  validate: PolicyValidator = validatePolicy,
): LastGoodResult {
  const lastGood = new Map<string, RawPolicy>();
  const refused: RefusedEdit[] = [];
  const chosen = policies.map((raw) => {
    const key = `${raw.namespace}/${raw.name}`;
    const result = validate(raw.object, { namespace: raw.namespace });
    const previous = memory.get(key);
    if (result.problems.length === 0) {
      lastGood.set(key, raw);
      return raw;
    }
    if (previous === undefined) return raw;
    lastGood.set(key, previous);
    refused.push({
      policy: key,
      problems: result.problems.map((p) => `${formatPath(p.path)}: ${p.message}`),
    });
    return previous;
  });
  return { policies: chosen, lastGood, refused };
}
