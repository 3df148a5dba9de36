/** Checks of single values the schema's patterns cannot express: SPIFFE IDs, path patterns, header names. */

/**
 * Why a SPIFFE ID (or a prefix pattern ending in `*`) is invalid, or undefined. Follows the SPIFFE ID spec: lower-case
 * trust domain of letters, digits, `.`, `-`, `_`; a non-empty path of segments of letters, digits, `.`, `-`, `_`,
 * with no `.` or `..` segments.
 */
export function spiffeIdProblem(id: string): string | undefined {
  const match = /^spiffe:\/\/([^/]*)(\/.*)?$/.exec(id);
  if (match === null) return 'must be a SPIFFE ID: spiffe://<trust-domain>/<path>';
  const [, trustDomain, rest] = match;
  if (!/^[a-z0-9._-]+$/.test(trustDomain ?? '')) {
    return 'trust domain must be lower-case letters, digits, ".", "-" or "_"';
  }
  return spiffePathProblem(rest ?? '');
}

function spiffePathProblem(rest: string): string | undefined {
  const wildcard = rest.endsWith('*');
  const path = wildcard ? rest.slice(0, -1) : rest;
  if (path.includes('*')) return 'a "*" may only end the ID (prefix match)';
  if (!wildcard && path === '') return 'must have a path, e.g. /ns/<namespace>/sa/<service-account>';
  const segments = path.split('/').slice(1);
  // With a trailing "*", the last segment is a prefix and may be empty (`…/sa/*`).
  if (wildcard && segments.at(-1) === '') segments.pop();
  return segments.map(segmentProblem).find((p) => p !== undefined);
}

function segmentProblem(segment: string): string | undefined {
  if (segment === '' || segment === '.' || segment === '..')
    return 'path segments must be non-empty and not "." or ".."';
  if (!/^[A-Za-z0-9._-]+$/.test(segment))
    return 'path segments may only hold letters, digits, ".", "-" and "_"';
  return undefined;
}

/**
 * Why a path pattern is invalid, or undefined. Requests are matched after normalisation, so a pattern must itself
 * be normalised (no `//`, `.` or `..` segments, no percent-encoding) or it could never match; `*` may only be the
 * whole last segment; `;` parameters only where the policy allows them.
 */
export function pathPatternProblem(pattern: string, allowPathParameters: boolean): string | undefined {
  const body = pattern.endsWith('/*') ? pattern.slice(0, -1) : pattern;
  if (body.includes('*')) return 'a "*" may only be the whole last segment, as in /orders/*';
  if (body.includes('//')) return 'must not contain "//" (requests are matched after merging slashes)';
  if (body.split('/').some((s) => s === '.' || s === '..')) return 'must not contain "." or ".." segments';
  if (body.includes('%')) return 'must not contain percent-encoding (requests are matched after decoding)';
  if (body.includes('\\')) return 'must not contain "\\"';
  if (!allowPathParameters && body.includes(';')) {
    return 'must not contain ";" parameters unless requestValidation.allowPathParameters is true';
  }
  return undefined;
}

/** Hop-by-hop and routing headers no claim may be copied into: the client or Envoy controls them. */
const RESERVED_HEADERS = new Set([
  'host',
  'authority',
  'forwarded',
  'x-real-ip',
  'x-request-id',
  'authorization',
  'proxy-authorization',
  'cookie',
  'connection',
  'keep-alive',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'content-length',
]);

/** Prefixes of header names that aspen or Envoy fill and strip. */
const RESERVED_PREFIXES = ['x-envoy-', 'x-forwarded-', 'x-aspen-', 'proxy-'];

/** Why a claim may not be forwarded into this header, or undefined. */
export function forwardHeaderProblem(header: string): string | undefined {
  const name = header.toLowerCase();
  if (RESERVED_HEADERS.has(name))
    return `must not be "${name}": that header is controlled by the client or the proxy`;
  const prefix = RESERVED_PREFIXES.find((p) => name.startsWith(p));
  if (prefix !== undefined)
    return `must not start with "${prefix}": those headers are reserved for the proxy`;
  return undefined;
}
