/** One broken PGV rule: where, and what. */
export interface RuleViolation {
  /** Field path in proto names from the resource's message name, e.g. `Listener.filter_chains[0].name`. */
  path: string;
  /** PGV's wording, e.g. `value length must be at least 1 runes`. */
  message: string;
}

/** `<path>: <message>`, as PGV prints it. */
export function formatViolation(violation: RuleViolation): string {
  return `${violation.path}: ${violation.message}`;
}
