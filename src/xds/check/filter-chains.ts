/**
 * Envoy's load-time check that no two filter chains of a listener match the same connections. Envoy builds a tree
 * over every criterion of each `filter_chain_match`, one branch per list entry (an empty list is one wildcard
 * branch), and rejects the listener ("multiple filter chains with the same matching rules are defined") when two
 * chains reach the same leaf. So chains overlap when every criterion shares a value: `server_names: [a, b]` and
 * `server_names: [b]` collide. A listener using `filter_chain_matcher` selects chains by name and is not checked here.
 */
import type { CidrRange } from '../../gen/envoy/config/core/v3/address.js';
import { FilterChainMatch } from '../../gen/envoy/config/listener/v3/listener_components.js';
import type { Listener } from '../../gen/envoy/config/listener/v3/listener.js';
import type { RuleViolation } from './violation.js';

/** The matching values of one chain per criterion, each a set of keys (`*` for "any"). */
type Criteria = Set<string>[];

function cidr(range: CidrRange): string {
  return `${range.addressPrefix.toLowerCase()}/${range.prefixLen ?? 0}`;
}

function orAny(values: string[]): Set<string> {
  return new Set(values.length === 0 ? ['*'] : values);
}

/** One value, or none when it has its default (`0`, `""` or unset): a wildcard branch. */
function single(value: string | number | undefined): string[] {
  return value === undefined || value === 0 || value === '' ? [] : [String(value)];
}

function criteria(match: FilterChainMatch | undefined): Criteria {
  const m = match ?? FilterChainMatch.fromPartial({});
  return [
    single(m.destinationPort),
    m.prefixRanges.map(cidr),
    m.serverNames.map((s) => s.toLowerCase()),
    single(m.transportProtocol),
    m.applicationProtocols,
    m.directSourcePrefixRanges.map(cidr),
    [String(m.sourceType)],
    m.sourcePrefixRanges.map(cidr),
    m.sourcePorts.map(String),
    single(m.addressSuffix === '' ? '' : `${m.addressSuffix}/${m.suffixLen ?? 0}`),
  ].map(orAny);
}

/** Whether two chains share a value in every criterion, i.e. reach a common leaf. */
function overlaps(a: Criteria, b: Criteria): boolean {
  return a.every((values, i) => [...values].some((v) => b[i]?.has(v) === true));
}

/** One violation per filter chain whose match overlaps an earlier chain's, naming that chain. */
export function duplicateFilterChainMatches(listener: Listener): RuleViolation[] {
  if (listener.filterChainMatcher !== undefined) return [];
  const all = listener.filterChains.map((chain) => criteria(chain.filterChainMatch));
  const out: RuleViolation[] = [];
  all.forEach((mine, i) => {
    const earlier = all.findIndex((other, j) => j < i && overlaps(mine, other));
    if (earlier >= 0) {
      out.push({
        path: `Listener.filter_chains[${i}].filter_chain_match`,
        message: `multiple filter chains with the same matching rules are defined: same as filter_chains[${earlier}]`,
      });
    }
  });
  return out;
}
