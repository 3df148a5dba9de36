/**
 * The gate in front of publishing: every resource aspen would send a proxy encodes, passes Envoy's PGV rules (inside
 * every Any too), and every name it references exists in the same set. Nothing is published unless this passes.
 */
import { forEachByType, TypeUrl } from '../translate/resources.js';
import type { XdsResources } from '../translate/resources.js';
import { checkOne, fullNameFor, intrinsic } from './intrinsic.js';
import { formatProblem } from './problem.js';
import type { CheckProblem } from './problem.js';
import type { KnownNames } from './references.js';
import { provenClean } from './shared.js';

export { formatProblem };
export type { CheckProblem };

/** What the checker needs to know besides the resources. */
export interface CheckOptions {
  /** SDS secret names the proxy can obtain (from aspen's SDS server), besides any in `resources.secrets`. */
  sdsSecrets: string[];
}

function knownNames(resources: XdsResources, options: CheckOptions): KnownNames {
  const jwtRequirements = new Set<string>();
  const listener = fullNameFor(TypeUrl.Listener);
  for (const l of resources.listeners) {
    for (const r of intrinsic(listener, l).jwtRequirements) jwtRequirements.add(r);
  }
  const secrets = new Set(options.sdsSecrets);
  for (const s of resources.secrets) secrets.add(s.name);
  return {
    routes: new Set(resources.routes.map((r) => r.name)),
    clusters: new Set(resources.clusters.map((c) => c.name)),
    secrets,
    jwtRequirements,
  };
}

/** Every problem in a proxy's resource set, by type (fixed order) then name; empty when it may be published. */
export function checkResources(resources: XdsResources, options: CheckOptions): CheckProblem[] {
  if (provenClean(resources, options)) return [];
  const known = knownNames(resources, options);
  const problems: CheckProblem[] = [];
  forEachByType(resources, (typeUrl, name, message) => {
    for (const v of checkOne(intrinsic(fullNameFor(typeUrl), message), known)) {
      problems.push({ typeUrl, name, path: v.path, message: v.message });
    }
  });
  return problems;
}

/** Thrown by `assertValid`: the resources must not be published. */
export class InvalidResourcesError extends Error {
  /** Every problem found. */
  readonly problems: CheckProblem[];

  constructor(problems: CheckProblem[]) {
    super(`${problems.length} problem(s) in Envoy resources:\n${problems.map(formatProblem).join('\n')}`);
    this.name = 'InvalidResourcesError';
    this.problems = problems;
  }
}

/** Throws an `InvalidResourcesError` listing every problem unless the resources pass `checkResources`. */
export function assertValid(resources: XdsResources, options: CheckOptions): void {
  const problems = checkResources(resources, options);
  if (problems.length > 0) throw new InvalidResourcesError(problems);
}
