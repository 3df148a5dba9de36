/**
 * Rate-limit actions shared by the local and the global rate-limit modules: how one RateLimitIR becomes the
 * descriptor entries Envoy computes for a request (route `RateLimit.Action`s, used at filter level through
 * `rate_limits`).
 *
 * Entries, in order:
 * - `rule` = the limit id, only when the request matches the limit's `match` (methods AND paths, each an OR list).
 *   A `header_value_match` on `:method` and `:path`; when it does not match, Envoy produces no descriptor for this
 *   limit at all, so the request is not counted. Without `match` conditions a `generic_key` always produces it.
 * - the key entry, `key` = the value the limit counts per: a JWT claim (dynamic metadata written by jwt_authn under
 *   `envoy.filters.http.jwt_authn` / its payload key, nested claims `a.b` as a path; string claims only), a request
 *   header, the API-key client header (set by the API-key check, never by clients), or the peer address. The peer
 *   address entry is always named `remote_address` (Envoy fixes that key; its value is the direct peer IP, since the
 *   sidecar trusts no `x-forwarded-for` hop).
 *
 * A request with no value for the key (no token, no such claim, a non-string claim, no header) is not let through
 * uncounted: the key entry is skipped (`skip_if_absent`) and the descriptor is the limit alone, which is one bucket
 * shared by every request without a key value. Dropping the descriptor instead would let a client escape the limit
 * by omitting the header or the token.
 *
 * The global module puts a `policy` entry in front (the part of the limit id before its last `/`).
 */
import {
  API_KEY_CLIENT_HEADER,
  AUDIT_API_KEY_CLIENT_HEADER,
  RATE_LIMIT_DESCRIPTOR_KEYS,
} from '../../../api/contracts.js';
import {
  HeaderMatcher,
  RateLimit,
  RateLimit_Action,
  RateLimit_Action_MetaData_Source,
} from '../../../gen/envoy/config/route/v3/route_components.js';
import { StringMatcher } from '../../../gen/envoy/type/matcher/v3/string.js';
import type { PolicySetIR, RateLimitIR, StringMatchIR } from '../../../ir/index.js';
import { AUDIT_PAYLOAD_KEY, ENFORCE_PAYLOAD_KEY } from './jwt-providers.js';
import { JWT_METADATA_NAMESPACE } from './rbac-matchers.js';

/** Descriptor entry key Envoy's `remote_address` action always uses (it cannot be renamed). */
export const REMOTE_ADDRESS_DESCRIPTOR_KEY = 'remote_address';

/** The name of the descriptor entry carrying the limit's key value. */
export function keyEntryName(limit: RateLimitIR): string {
  return limit.key !== undefined && 'remoteAddress' in limit.key
    ? REMOTE_ADDRESS_DESCRIPTOR_KEY
    : RATE_LIMIT_DESCRIPTOR_KEYS.key;
}

/** The part of a limit id `<namespace>/<policy>/<limit>` before its last `/`: `<namespace>/<policy>`. */
export function policyOfLimit(limitId: string): string {
  const slash = limitId.lastIndexOf('/');
  return slash < 0 ? limitId : limitId.slice(0, slash);
}

/** Escapes RE2 metacharacters so a literal matches itself. */
export function re2Escape(literal: string): string {
  return literal.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&');
}

/** One path pattern as a regex fragment: exact, or everything below a prefix. */
function pathFragment(path: StringMatchIR): string {
  return 'exact' in path ? re2Escape(path.exact) : `${re2Escape(path.prefix)}[^?]*`;
}

/**
 * The `:path` matcher of a list of (normalised) path patterns. `:path` carries the query string, so the regex
 * matches the path part and accepts any query after it.
 */
export function pathHeaderMatcher(paths: readonly StringMatchIR[]): HeaderMatcher {
  const alternatives = paths.map(pathFragment).join('|');
  return HeaderMatcher.fromPartial({
    name: ':path',
    headerMatchSpecifier: {
      $case: 'stringMatch',
      value: StringMatcher.fromPartial({
        matchPattern: { $case: 'safeRegex', value: { regex: `^(?:${alternatives})(?:\\?.*)?$` } },
      }),
    },
  });
}

/** The `:method` matcher of a list of methods: exact for one, an anchored alternation for several. */
export function methodHeaderMatcher(methods: readonly string[]): HeaderMatcher {
  const only = methods.length === 1 ? methods[0] : undefined;
  const matcher =
    only !== undefined
      ? StringMatcher.fromPartial({ matchPattern: { $case: 'exact', value: only } })
      : StringMatcher.fromPartial({
          matchPattern: { $case: 'safeRegex', value: { regex: `^(?:${methods.map(re2Escape).join('|')})$` } },
        });
  return HeaderMatcher.fromPartial({
    name: ':method',
    headerMatchSpecifier: { $case: 'stringMatch', value: matcher },
  });
}

/** The `rule` entry: present only for requests the limit's `match` selects. */
export function ruleAction(limit: RateLimitIR): RateLimit_Action {
  const headers = [
    ...(limit.match.methods !== undefined ? [methodHeaderMatcher(limit.match.methods)] : []),
    ...(limit.match.paths !== undefined ? [pathHeaderMatcher(limit.match.paths)] : []),
  ];
  const descriptorKey = RATE_LIMIT_DESCRIPTOR_KEYS.rule;
  if (headers.length === 0) {
    return RateLimit_Action.fromPartial({
      actionSpecifier: { $case: 'genericKey', value: { descriptorKey, descriptorValue: limit.id } },
    });
  }
  return RateLimit_Action.fromPartial({
    actionSpecifier: {
      $case: 'headerValueMatch',
      value: { descriptorKey, descriptorValue: limit.id, expectMatch: true, headers },
    },
  });
}

/** A request-header entry named `key`, skipped (not failing the descriptor) when the header is absent. */
function headerKeyAction(header: string): RateLimit_Action {
  return RateLimit_Action.fromPartial({
    actionSpecifier: {
      $case: 'requestHeaders',
      value: { headerName: header, descriptorKey: RATE_LIMIT_DESCRIPTOR_KEYS.key, skipIfAbsent: true },
    },
  });
}

/**
 * Where the claims of a policy set's requests are in jwt_authn's metadata: the enforcing filter's payload key, or
 * for an Audit set with its own JWT settings the Audit filter's (as RBAC reads them, filters/rbac.ts).
 */
export function payloadKeyOf(set: PolicySetIR, mode: 'enforce' | 'audit'): string {
  return mode === 'audit' && set.jwt !== undefined ? AUDIT_PAYLOAD_KEY : ENFORCE_PAYLOAD_KEY;
}

/**
 * Which header carries a policy set's API-key client: the enforcing check's, or for an Audit set with its own API-key
 * settings the Audit check's (as RBAC reads it, filters/rbac.ts).
 */
export function clientHeaderOf(set: PolicySetIR, mode: 'enforce' | 'audit'): string {
  return mode === 'audit' && set.apiKeys !== undefined ? AUDIT_API_KEY_CLIENT_HEADER : API_KEY_CLIENT_HEADER;
}

/** A JWT-claim entry named `key`, read from jwt_authn's dynamic metadata; skipped when the claim is absent. */
function claimKeyAction(claim: string, payloadKey: string): RateLimit_Action {
  const path = [payloadKey, ...claim.split('.')].map((key) => ({
    segment: { $case: 'key' as const, value: key },
  }));
  return RateLimit_Action.fromPartial({
    actionSpecifier: {
      $case: 'metadata',
      value: {
        descriptorKey: RATE_LIMIT_DESCRIPTOR_KEYS.key,
        metadataKey: { key: JWT_METADATA_NAMESPACE, path },
        source: RateLimit_Action_MetaData_Source.DYNAMIC,
        skipIfAbsent: true,
      },
    },
  });
}

/**
 * The key entry of a limit, or none when the limit counts every request in one bucket. JWT claims are read under
 * `payloadKey` (see payloadKeyOf), API-key clients from `clientHeader` (see clientHeaderOf).
 */
export function keyAction(
  limit: RateLimitIR,
  payloadKey: string,
  clientHeader: string = API_KEY_CLIENT_HEADER,
): RateLimit_Action | undefined {
  const key = limit.key;
  if (key === undefined) return undefined;
  if ('jwtClaim' in key) return claimKeyAction(key.jwtClaim, payloadKey);
  if ('header' in key) return headerKeyAction(key.header);
  if ('apiKeyClient' in key) return headerKeyAction(clientHeader);
  return RateLimit_Action.fromPartial({ actionSpecifier: { $case: 'remoteAddress', value: {} } });
}

/**
 * The descriptor of one limit: `[rule, key?]`, optionally preceded by more actions (the global `policy`). JWT claims
 * are read under `payloadKey` (see payloadKeyOf), API-key clients from `clientHeader` (see clientHeaderOf).
 */
export function limitRateLimit(
  limit: RateLimitIR,
  payloadKey: string,
  leading: readonly RateLimit_Action[] = [],
  clientHeader: string = API_KEY_CLIENT_HEADER,
): RateLimit {
  const key = keyAction(limit, payloadKey, clientHeader);
  return RateLimit.fromPartial({
    actions: [...leading, ruleAction(limit), ...(key !== undefined ? [key] : [])],
  });
}
