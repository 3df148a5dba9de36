/**
 * What each resource's checks find without looking at the rest of its set (encoding, PGV rules, references inside
 * it, the names it refers to), remembered per resource content and per message object (ADRs 26 and 34).
 */
import { encodedDigest } from '../cache/snapshot.js';
import { packResource } from '../proto/any.js';
import { messageDescriptor } from '../proto/descriptors.js';
import { fullNameOf, messageTypeByName } from '../proto/registry.js';
import type { UnknownMessage } from '../proto/registry.js';
import { checkMessage } from './message.js';
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

function encodeProblem(fullName: string, message: UnknownMessage): RuleViolation[] {
  try {
    messageTypeByName(fullName).encode(message).finish();
    return [];
  } catch (err) {
    return [{ path: shortName(fullName), message: `does not encode: ${(err as Error).message}` }];
  }
}

/** What a resource's checks find without looking at the rest of the set: encoding and PGV problems, references. */
export interface Intrinsic {
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

/** `encodes`: the message is known to encode as this type (its encoding was just made), so it is not encoded again. */
function computeIntrinsic(root: Visited, encodes = false): Intrinsic {
  const fullName = root.desc.typeName;
  const encoding = encodes ? [] : encodeProblem(fullName, root.message);
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
    // packResource encoded it by its own `$type`: when that is the type checked, it encodes.
    result = computeIntrinsic(root, root.message.$type === root.desc.typeName);
    if (intrinsicByContent.size >= MAX_REMEMBERED) {
      intrinsicByContent.delete(intrinsicByContent.keys().next().value as string);
    }
    intrinsicByContent.set(key, result);
  }
  return result;
}

/** The intrinsic checks of one resource of the given type: walked only the first time its content is seen. */
export function intrinsic(fullName: string, message: UnknownMessage): Intrinsic {
  const shared = intrinsicByMessage.get(message);
  if (shared !== undefined && shared.fullName === fullName) return shared.intrinsic;
  const root = { desc: messageDescriptor(fullName), message, path: shortName(fullName) };
  const result = intrinsicByRoot(root);
  intrinsicByMessage.set(message, { fullName, intrinsic: result });
  return result;
}

/** Whether a resource has no problem of its own (it may still refer to names the proxy lacks). */
export function clean(own: Intrinsic): boolean {
  return !own.unencodable && own.violations.length === 0 && own.selfProblems.length === 0;
}

/** Checks one resource: encoding, PGV rules, references (allocating only when something is wrong). */
export function checkOne(own: Intrinsic, known: KnownNames): RuleViolation[] {
  if (own.unencodable) return own.violations;
  const missing = missingNames(own.names, known);
  if (own.violations.length === 0 && own.selfProblems.length === 0) return missing;
  return [...own.violations, ...own.selfProblems, ...missing];
}

const fullNames = new Map<string, string>();

/** The full type name of a type URL (a handful of URLs, each sliced once). */
export function fullNameFor(typeUrl: string): string {
  let name = fullNames.get(typeUrl);
  if (name === undefined) {
    name = fullNameOf(typeUrl);
    fullNames.set(typeUrl, name);
  }
  return name;
}
