/**
 * A small model of how Envoy picks a filter chain for a connection and a route for a request, over the generated
 * resources (there is no Envoy binary here). It follows Envoy's documented matching rules for the fields aspen uses:
 * filter chains by destination port and transport protocol (most specific wins; no match closes the connection), routes
 * in order by path prefix and header matchers (a missing header never matches an inverted value matcher).
 */
import type { FilterChain } from '../../../src/gen/envoy/config/listener/v3/listener_components.js';
import type { Listener } from '../../../src/gen/envoy/config/listener/v3/listener.js';
import type { HeaderMatcher, Route } from '../../../src/gen/envoy/config/route/v3/route_components.js';
import type { RouteConfiguration } from '../../../src/gen/envoy/config/route/v3/route.js';
import type { StringMatcher } from '../../../src/gen/envoy/type/matcher/v3/string.js';

/** A connection as the listener sees it after original_dst and tls_inspector. */
export interface Connection {
  /** The port the peer dialled. */
  destinationPort: number;
  /** `tls` or `raw_buffer`. */
  transport: 'tls' | 'raw_buffer';
}

/** The chain Envoy would use for the connection, or undefined (connection closed). */
export function matchChain(listener: Listener, conn: Connection): FilterChain | undefined {
  const byPort = listener.filterChains.filter(
    (c) => c.filterChainMatch?.destinationPort === conn.destinationPort,
  );
  const portLevel =
    byPort.length > 0
      ? byPort
      : listener.filterChains.filter((c) => c.filterChainMatch?.destinationPort === undefined);
  const exact = portLevel.filter((c) => c.filterChainMatch?.transportProtocol === conn.transport);
  const any = portLevel.filter((c) => (c.filterChainMatch?.transportProtocol ?? '') === '');
  return exact[0] ?? any[0] ?? listener.defaultFilterChain;
}

/** An HTTP request after the connection manager's path handling. */
export interface Request {
  /** Method. */
  method: string;
  /** Path. */
  path: string;
  /** Headers (lower-case names). */
  headers?: Record<string, string>;
}

/** The route Envoy would pick for the request, or undefined (404). */
export function matchRoute(config: RouteConfiguration, req: Request): Route | undefined {
  const vhost = config.virtualHosts.find((v) => v.domains.includes('*'));
  const headers: Record<string, string> = {
    ':method': req.method,
    ':path': req.path,
    ...(req.headers ?? {}),
  };
  return vhost?.routes.find((r) => routeMatches(r, req.path, headers));
}

function routeMatches(route: Route, path: string, headers: Record<string, string>): boolean {
  const spec = route.match?.pathSpecifier;
  if (spec?.$case !== 'prefix' || !path.startsWith(spec.value)) return false;
  return (route.match?.headers ?? []).every((m) => headerMatches(m, headers[m.name]));
}

/** Envoy's HeaderUtility::matchHeaders for the matcher kinds aspen emits. */
export function headerMatches(m: HeaderMatcher, value: string | undefined): boolean {
  const spec = m.headerMatchSpecifier;
  if (value === undefined) {
    const presentType = spec?.$case === 'presentMatch';
    return m.invertMatch ? presentType && spec.value : presentType && !spec.value;
  }
  return valueMatches(m, value) !== m.invertMatch;
}

function valueMatches(m: HeaderMatcher, value: string): boolean {
  const spec = m.headerMatchSpecifier;
  if (spec?.$case === 'presentMatch') return spec.value;
  if (spec?.$case !== 'stringMatch') throw new Error(`simulate: unsupported header matcher ${spec?.$case}`);
  return stringMatches(spec.value, value);
}

function stringMatches(matcher: StringMatcher, value: string): boolean {
  const p = matcher.matchPattern;
  if (p?.$case === 'exact') return value === p.value;
  if (p?.$case === 'safeRegex') return re2ToJs(p.value.regex).test(value);
  throw new Error(`simulate: unsupported string matcher ${p?.$case}`);
}

/** RE2 full-match semantics with a leading `(?i)` flag, as JavaScript. */
function re2ToJs(regex: string): RegExp {
  const ci = regex.startsWith('(?i)');
  const body = ci ? regex.slice(4) : regex;
  return new RegExp(`^(?:${body})$`, ci ? 'i' : '');
}
