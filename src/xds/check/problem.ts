/** A problem found in one resource aspen would publish. */
export interface CheckProblem {
  /** The xDS type URL of the resource. */
  typeUrl: string;
  /** The resource's name (a ClusterLoadAssignment's cluster name). */
  name: string;
  /** Field path in proto names from the resource's message name, e.g. `Listener.filter_chains[1].filter_chain_match`. */
  path: string;
  /** What is wrong. */
  message: string;
}

/** `<Type> <name>: <path>: <message>`, one line. */
export function formatProblem(problem: CheckProblem): string {
  const type = problem.typeUrl.slice(problem.typeUrl.lastIndexOf('.') + 1);
  return `${type} ${problem.name}: ${problem.path}: ${problem.message}`;
}
