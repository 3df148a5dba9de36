/**
 * The gate in front of publishing: every resource aspen would send a proxy encodes, passes Envoy's PGV rules (inside
 * every Any too), and every name it references exists in the same set. Nothing is published unless this passes.
 */
import { encodedDigest } from '../cache/snapshot.js';
import { packResource } from '../proto/any.js';
import { messageDescriptor } from '../proto/descriptors.js';
import { fullNameOf, messageTypeByName } from '../proto/registry.js';
import type { UnknownMessage } from '../proto/registry.js';
import { forEachByType, TypeUrl } from '../translate/resources.js';
import type { XdsResources } from '../translate/resources.js';
import { checkMessage } from './message.js';
import { formatProblem } from './problem.js';

export { formatProblem };
import type { CheckProblem } from './problem.js';
import {
  collectReferences,
  jwtRequirementNames,
  missingNames,
  nameReferences,
  selfReferenceProblems,
} from './references.js';
import type { KnownNames, NameRef } from './references.js';
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

/** What a resource's checks find without looking at the rest of the set: encoding and PGV problems, references. */
interface Intrinsic {
  /** Encoding problems, or (when it encodes) PGV rule violations. */
  violations: RuleViolation[];
  /** Whether it failed to encode (then references are not checked). */
  unencodable: boolean;
  /** Problems of references inside the resource (router last, JWT providers, RE2, filter chains). */
  selfProblems: RuleViolation[];
  /** Names the resource refers to, checked per proxy. */
  names: NameRef[];
  /** The requirement names of the jwt_authn filters inside it (a listener's define the proxy's known ones). */
  jwtRequirements: string[];
}

/**
 * Per resource content (ADR 0026): the encode and PGV checks are a function of a resource's bytes, so a resource
 * shared by many proxies (an outbound cluster), or unchanged since the last rebuild, is walked once. Only the
 * reference checks, which depend on the proxy's whole set, run per proxy. Keyed by type and the digest of the encoded
 * bytes; bounded (the oldest entries go first).
 */
const intrinsicByContent = new Map<string, Intrinsic>();
const MAX_REMEMBERED = 50_000;

function encodedKey(fullName: string, message: UnknownMessage): string | undefined {
  try {
    return `${fullName}\n${encodedDigest(packResource(message))}`;
  } catch {
    return undefined; // does not encode: checked (and reported) without memo
  }
}

function computeIntrinsic(root: Visited): Intrinsic {
  const fullName = root.desc.typeName;
  const encoding = encodeProblem(fullName, root.message);
  const unencodable = encoding.length > 0;
  const violations = unencodable ? encoding : checkMessage(fullName, root.message);
  const found = collectReferences(root);
  const selfProblems = unencodable ? [] : selfReferenceProblems(root, found);
  const names = nameReferences(found);
  return { violations, unencodable, selfProblems, names, jwtRequirements: jwtRequirementNames(found) };
}

/** The same, by type and message object: the fast path for a message shared by many proxies or rebuilds. */
const intrinsicByMessage = new WeakMap<UnknownMessage, { fullName: string; intrinsic: Intrinsic }>();

function intrinsicByRoot(root: Visited): Intrinsic {
  const key = encodedKey(root.desc.typeName, root.message);
  if (key === undefined) return computeIntrinsic(root);
  let result = intrinsicByContent.get(key);
  if (result === undefined) {
    result = computeIntrinsic(root);
    if (intrinsicByContent.size >= MAX_REMEMBERED) {
      intrinsicByContent.delete(intrinsicByContent.keys().next().value as string);
    }
    intrinsicByContent.set(key, result);
  }
  return result;
}

/** The intrinsic checks of one resource of the given type: walked only the first time its content is seen. */
function intrinsic(fullName: string, message: UnknownMessage): Intrinsic {
  const shared = intrinsicByMessage.get(message);
  if (shared !== undefined && shared.fullName === fullName) return shared.intrinsic;
  const root = { desc: messageDescriptor(fullName), message, path: shortName(fullName) };
  const result = intrinsicByRoot(root);
  intrinsicByMessage.set(message, { fullName, intrinsic: result });
  return result;
}

function knownNames(resources: XdsResources, options: CheckOptions): KnownNames {
  const jwtRequirements = new Set<string>();
  const listener = fullNameOf(TypeUrl.Listener);
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

/** Checks one resource: encoding, PGV rules, references (allocating only when something is wrong). */
function checkOne(own: Intrinsic, known: KnownNames): RuleViolation[] {
  if (own.unencodable) return own.violations;
  const missing = missingNames(own.names, known);
  if (own.violations.length === 0 && own.selfProblems.length === 0) return missing;
  return [...own.violations, ...own.selfProblems, ...missing];
}

const fullNames = new Map<string, string>();

/** The full type name of a type URL (a handful of URLs, each sliced once). */
function fullNameFor(typeUrl: string): string {
  let name = fullNames.get(typeUrl);
  if (name === undefined) {
    name = fullNameOf(typeUrl);
    fullNames.set(typeUrl, name);
  }
  return name;
}

/** Every problem in a proxy's resource set, by type (fixed order) then name; empty when it may be published. */
export function checkResources(resources: XdsResources, options: CheckOptions): CheckProblem[] {
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
