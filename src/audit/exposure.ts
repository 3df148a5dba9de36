/**
 * Who can reach what without authenticating, judged on one policy as written (defaults applied). Shared by the
 * public-write and rate-limit rules.
 *
 * A request is authenticated when the policy requires a JWT (`jwt.required`, default true) or when the rule that
 * allows it names a caller identity in `from`: principals or namespaces (mTLS peer identity), jwtClaims (a verified
 * token) or apiKeyClients (a valid API key). `ipBlocks` restricts the peer address, which is not authentication
 * (behind a load balancer or gateway every caller shares its address). A missing API key passes on to
 * authorization, so configuring `apiKeys` alone authenticates nothing.
 */
import type {
  ApiSecurityPolicySpec,
  AuthorizationRule,
  RateLimit,
  RuleSource,
} from '../api/v1alpha1/types.js';

/** Methods that change state. */
export const WRITE_METHODS: readonly string[] = ['DELETE', 'PATCH', 'POST', 'PUT'];

/** A rule together with its index in `spec.authorization.rules`. */
export interface IndexedRule {
  /** The rule. */
  rule: AuthorizationRule;
  /** Its index, for the field path. */
  index: number;
}

/** `list.includes(item)` for lists typed narrower than string. */
function has(list: readonly string[], item: string): boolean {
  return list.includes(item);
}

function isSet(list: readonly unknown[] | undefined): list is readonly unknown[] {
  return list !== undefined && list.length > 0;
}

/** True when every request needs a valid JWT before authorization. */
export function requiresJwt(spec: ApiSecurityPolicySpec): boolean {
  return spec.jwt !== undefined && spec.jwt.required !== false && spec.jwt.providers.length > 0;
}

/** True when `from` names a caller identity (principals, namespaces, jwtClaims or apiKeyClients). */
export function fromAuthenticates(from: RuleSource | undefined): boolean {
  return [from?.principals, from?.namespaces, from?.jwtClaims, from?.apiKeyClients].some(isSet);
}

/** The Allow rules a caller without any credential can match, in spec order. */
export function anonymousAllowRules(spec: ApiSecurityPolicySpec): IndexedRule[] {
  if (requiresJwt(spec)) return [];
  const rules = spec.authorization?.rules ?? [];
  return rules
    .map((rule, index) => ({ rule, index }))
    .filter(({ rule }) => (rule.action ?? 'Allow') === 'Allow' && !fromAuthenticates(rule.from));
}

/** True for a Deny rule that applies to every caller on every path. */
function isUnconditionalDeny(rule: AuthorizationRule): boolean {
  const from = rule.from;
  const anyCaller = !fromAuthenticates(from) && !isSet(from?.ipBlocks);
  return rule.action === 'Deny' && anyCaller && !isSet(rule.to?.paths);
}

/** The write methods a method list names; an absent or empty list names them all. */
function writesIn(methods: readonly string[] | undefined): string[] {
  return isSet(methods) ? WRITE_METHODS.filter((m) => has(methods, m)) : [...WRITE_METHODS];
}

/** Write methods no caller can use: refused by `requestValidation.allowedMethods` or by an unconditional Deny. */
function refusedWrites(spec: ApiSecurityPolicySpec): Set<string> {
  const allowed = spec.requestValidation?.allowedMethods;
  const notAllowed = allowed === undefined ? [] : WRITE_METHODS.filter((m) => !has(allowed, m));
  const denied = (spec.authorization?.rules ?? [])
    .filter(isUnconditionalDeny)
    .flatMap((rule) => writesIn(rule.to?.methods));
  return new Set([...notAllowed, ...denied]);
}

/** The write methods (sorted) an Allow rule lets through, after those the policy refuses to every caller. */
export function writeMethodsAllowed(spec: ApiSecurityPolicySpec, rule: AuthorizationRule): string[] {
  const refused = refusedWrites(spec);
  return writesIn(rule.to?.methods).filter((m) => !refused.has(m));
}

/** True when a path pattern (`/a` exact, `/a/*` prefix) matches every path the other pattern matches. */
export function pathCovers(outer: string, inner: string): boolean {
  if (!outer.endsWith('/*')) return outer === inner;
  const prefix = outer.slice(0, -1);
  return inner.startsWith(prefix);
}

/**
 * True when a limit counts requests from callers without credentials: keys on a JWT claim or an API-key client
 * have no value for such requests, so they are not counted.
 */
function countsAnonymous(limit: RateLimit): boolean {
  return limit.key?.jwtClaim === undefined && limit.key?.apiKeyClient === undefined;
}

function limitCoversMethods(limit: RateLimit, methods: readonly string[] | undefined): boolean {
  const counted = limit.match?.methods;
  if (!isSet(counted)) return true;
  return isSet(methods) && methods.every((m) => has(counted, m));
}

function limitCoversPath(limit: RateLimit, path: string): boolean {
  const counted = limit.match?.paths;
  return !isSet(counted) || counted.some((p) => pathCovers(p, path));
}

/**
 * True when the policy's rate limits count every anonymous request to these methods and paths (absent = all): each
 * path is counted by one limit that counts all the methods and counts callers without credentials.
 */
export function rateLimited(
  spec: ApiSecurityPolicySpec,
  methods: readonly string[] | undefined,
  paths: readonly string[] | undefined,
): boolean {
  const limits = (spec.rateLimits ?? []).filter((l) => countsAnonymous(l) && limitCoversMethods(l, methods));
  const wanted = isSet(paths) ? paths : ['/*'];
  return wanted.every((path) => limits.some((l) => limitCoversPath(l, path)));
}
