/** Conflicts: settings of several policies on one port that cannot be combined. */
import type { PathSegment, Problem } from './problem.js';
import { formatPath } from './problem.js';
import { compareStrings } from './sort.js';

/** One setting of one policy taking part in a conflict. */
export interface ConflictEntry {
  /** `<namespace>/<name>` of the policy. */
  policy: string;
  /** The policy's setting, rendered for a message (never secret material). */
  value: string;
}

/** Settings of several policies that cannot be combined; each policy involved reports it in its status. */
export interface Conflict {
  /** Field path of the setting, the same in every policy involved, e.g. ['spec', 'apiKeys', 'from']. */
  path: PathSegment[];
  /** Every policy involved, sorted by policy. */
  entries: ConflictEntry[];
  /** What applies instead, e.g. `the stricter setting applies (Deny)`. */
  outcome: string;
}

/** The outcome text of a conflict resolved to the stricter setting (the policies stay enforced). */
export function stricterApplies(result: string): string {
  return `the stricter setting applies (${result})`;
}

function message(conflict: Conflict, self: ConflictEntry): string {
  const others = conflict.entries.filter((e) => e.policy !== self.policy && e.value !== self.value);
  const theirs = others.map((o) => `${o.value} in ${o.policy}`).join(', ');
  return `${self.value} conflicts with ${theirs}; ${conflict.outcome}`;
}

/** The problems `policy` reports for `conflicts`: one per distinct field and message, sorted by path then message. */
export function conflictProblems(conflicts: readonly Conflict[], policy: string): Problem[] {
  const byText = new Map<string, Problem>();
  for (const conflict of conflicts) {
    const self = conflict.entries.find((e) => e.policy === policy);
    if (self === undefined) continue;
    const problem = { path: conflict.path, message: message(conflict, self) };
    byText.set(`${formatPath(problem.path)}: ${problem.message}`, problem);
  }
  return [...byText.keys()].sort(compareStrings).map((k) => byText.get(k) as Problem);
}
