/** String matches of the IR: SPIFFE identities, principal patterns and path patterns. */
import type { StringMatchIR } from '../ir/index.js';

/** The SPIFFE ID of a service account: `spiffe://<trustDomain>/ns/<namespace>/sa/<serviceAccount>`. */
export function spiffeId(trustDomain: string, namespace: string, serviceAccount: string): string {
  return `${namespacePrefix(trustDomain, namespace)}${serviceAccount}`;
}

/** The prefix every SPIFFE ID of a namespace starts with: `spiffe://<trustDomain>/ns/<namespace>/sa/`. */
export function namespacePrefix(trustDomain: string, namespace: string): string {
  return `spiffe://${trustDomain}/ns/${namespace}/sa/`;
}

/** A path pattern: `/x/*` → prefix `/x/`, `/*` → prefix `/`, anything else exact. */
export function pathMatch(pattern: string): StringMatchIR {
  return pattern.endsWith('/*') ? { prefix: pattern.slice(0, -1) } : { exact: pattern };
}

/** A principal pattern: a trailing `*` matches any suffix (prefix match), anything else exact. */
export function principalMatch(pattern: string): StringMatchIR {
  return pattern.endsWith('*') ? { prefix: pattern.slice(0, -1) } : { exact: pattern };
}

function matchKey(m: StringMatchIR): string {
  return 'exact' in m ? `exact:${m.exact}` : `prefix:${m.prefix}`;
}

/** Sorts string matches (exact before prefix, then by value) and drops duplicates. */
export function sortMatches(matches: readonly StringMatchIR[]): StringMatchIR[] {
  const byKey = new Map(matches.map((m) => [matchKey(m), m] as const));
  return [...byKey.keys()].sort().map((k) => byKey.get(k) as StringMatchIR);
}

/** The part of `match` that lies inside namespace prefix `prefix`, or undefined when they do not overlap. */
function insidePrefix(match: StringMatchIR, prefix: string): StringMatchIR | undefined {
  if ('exact' in match) return match.exact.startsWith(prefix) ? match : undefined;
  if (match.prefix.startsWith(prefix)) return match;
  return prefix.startsWith(match.prefix) ? { prefix } : undefined;
}

/**
 * The peer condition of a rule as principal matches. `principals` and `namespaces` are two attribute kinds, so a peer
 * must satisfy both (AND); the result is their intersection: principals inside one of the namespaces, a broader
 * principal pattern narrowed to the namespace prefix. Undefined when neither is given (the peer is not checked);
 * an empty list when the intersection is empty (no peer matches).
 */
export function peerPrincipals(
  trustDomain: string,
  principals: readonly string[] | undefined,
  namespaces: readonly string[] | undefined,
): StringMatchIR[] | undefined {
  const prefixes = namespaces?.map((ns) => namespacePrefix(trustDomain, ns));
  const patterns = principals?.map(principalMatch);
  if (patterns === undefined) return prefixes && sortMatches(prefixes.map((prefix) => ({ prefix })));
  if (prefixes === undefined) return sortMatches(patterns);
  const inside = prefixes.flatMap((prefix) => patterns.map((m) => insidePrefix(m, prefix)));
  return sortMatches(inside.filter((m): m is StringMatchIR => m !== undefined));
}
