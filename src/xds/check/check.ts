/**
 * The gate in front of publishing: every resource aspen would send a proxy encodes, passes Envoy's PGV rules (inside
 * every Any too), and every name it references exists in the same set. Nothing is published unless this passes.
 */
import { messageDescriptor } from '../proto/descriptors.js';
import { fullNameOf, messageTypeByName } from '../proto/registry.js';
import type { UnknownMessage } from '../proto/registry.js';
import { byTypeUrl, TypeUrl } from '../translate/resources.js';
import type { XdsResources } from '../translate/resources.js';
import { checkMessage } from './message.js';
import { formatProblem } from './problem.js';

export { formatProblem };
import type { CheckProblem } from './problem.js';
import { checkReferences, collectReferences, jwtRequirementNames } from './references.js';
import type { Found, KnownNames } from './references.js';
import type { RuleViolation } from './violation.js';
import { shortName } from './walk.js';
import type { Visited } from './walk.js';

export type { CheckProblem };

/** What the checker needs to know besides the resources. */
export interface CheckOptions {
  /** SDS secret names the proxy can obtain (from aspen's SDS server), besides any in `resources.secrets`. */
  sdsSecrets: string[];
}

function encodeProblem(fullName: string, message: UnknownMessage): RuleViolation[] {
  try {
    messageTypeByName(fullName).encode(message).finish();
    return [];
  } catch (err) {
    return [{ path: shortName(fullName), message: `does not encode: ${(err as Error).message}` }];
  }
}

/** One resource, ready to check: its root and the messages reference checks need. */
interface Prepared {
  typeUrl: string;
  name: string;
  root: Visited;
  found: Found;
}

function knownNames(resources: XdsResources, prepared: Prepared[], options: CheckOptions): KnownNames {
  const listeners = prepared.filter((p) => p.typeUrl === TypeUrl.Listener);
  return {
    routes: new Set(resources.routes.map((r) => r.name)),
    clusters: new Set(resources.clusters.map((c) => c.name)),
    secrets: new Set([...options.sdsSecrets, ...resources.secrets.map((s) => s.name)]),
    jwtRequirements: new Set(listeners.flatMap((p) => jwtRequirementNames(p.found))),
  };
}

/** Checks one resource: encoding, PGV rules, references. */
function checkOne(p: Prepared, known: KnownNames): RuleViolation[] {
  const fullName = p.root.desc.typeName;
  const encoding = encodeProblem(fullName, p.root.message);
  if (encoding.length > 0) return encoding;
  return [...checkMessage(fullName, p.root.message), ...checkReferences(p.root, known, p.found)];
}

function prepare(resources: XdsResources): Prepared[] {
  return byTypeUrl(resources).flatMap(({ typeUrl, resources: named }) =>
    named.map(({ name, message }) => {
      const fullName = fullNameOf(typeUrl);
      const root = { desc: messageDescriptor(fullName), message, path: shortName(fullName) };
      return { typeUrl, name, root, found: collectReferences(root) };
    }),
  );
}

/** Every problem in a proxy's resource set, by type (fixed order) then name; empty when it may be published. */
export function checkResources(resources: XdsResources, options: CheckOptions): CheckProblem[] {
  const prepared = prepare(resources);
  const known = knownNames(resources, prepared, options);
  return prepared.flatMap((p) =>
    checkOne(p, known).map((v) => ({ typeUrl: p.typeUrl, name: p.name, path: v.path, message: v.message })),
  );
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
