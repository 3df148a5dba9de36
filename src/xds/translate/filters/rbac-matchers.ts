/**
 * Building blocks of Envoy RBAC policies from IR conditions: permissions (methods, paths) and principals (SPIFFE
 * IDs, peer addresses, JWT claims, API-key clients). An IR list that is empty matches no request (RuleIR), which
 * Envoy expresses as `not_rule`/`not_id` of `any`, since its sets need at least one member.
 */
import { ACCESS_LOG_CONTRACT } from '../../../api/contracts.js';
import { MetadataSource, type Permission, type Principal } from '../../../gen/envoy/config/rbac/v3/rbac.js';
import type { DeepPartial } from '../../../gen/envoy/config/rbac/v3/rbac.js';
import type { StringMatcher } from '../../../gen/envoy/type/matcher/v3/string.js';
import type { ValueMatcher } from '../../../gen/envoy/type/matcher/v3/value.js';
import { API_KEY_CLIENT_HEADER } from '../../../api/contracts.js';
import type { StringMatchIR } from '../../../ir/index.js';

/** A partial Permission, as `fromPartial` takes it. */
export type PermissionInit = DeepPartial<Permission>;
/** A partial Principal, as `fromPartial` takes it. */
export type PrincipalInit = DeepPartial<Principal>;

/** Dynamic-metadata namespace the jwt_authn filter writes verified payloads into. */
export const JWT_METADATA_NAMESPACE = ACCESS_LOG_CONTRACT.jwtNamespace;

/** A StringMatcher for an IR exact/prefix match. */
export function stringMatcher(match: StringMatchIR): DeepPartial<StringMatcher> {
  return 'exact' in match
    ? { matchPattern: { $case: 'exact', value: match.exact } }
    : { matchPattern: { $case: 'prefix', value: match.prefix } };
}

/** The permission matching every request. */
export function anyPermission(): PermissionInit {
  return { rule: { $case: 'any', value: true } };
}

/** OR of permissions; an empty list matches nothing. */
export function orPermissions(rules: PermissionInit[]): PermissionInit {
  if (rules.length === 0) return { rule: { $case: 'notRule', value: anyPermission() } };
  if (rules.length === 1) return rules[0]!;
  return { rule: { $case: 'orRules', value: { rules } } };
}

/** AND of permissions; an empty list matches everything. */
export function andPermissions(rules: PermissionInit[]): PermissionInit {
  if (rules.length === 0) return anyPermission();
  if (rules.length === 1) return rules[0]!;
  return { rule: { $case: 'andRules', value: { rules } } };
}

/** An exact header value match (`string_match`; the older `exact_match` is deprecated). */
function exactHeader(value: string): {
  $case: 'stringMatch';
  value: { matchPattern: { $case: 'exact'; value: string } };
} {
  return { $case: 'stringMatch', value: { matchPattern: { $case: 'exact', value } } };
}

/** Any of the methods, matched on the `:method` pseudo-header. */
export function methodsPermission(methods: string[]): PermissionInit {
  return orPermissions(
    methods.map((method) => ({
      rule: {
        $case: 'header',
        value: { name: ':method', headerMatchSpecifier: exactHeader(method) },
      },
    })),
  );
}

/** Any of the paths, matched on the normalised path without query string. */
export function pathsPermission(paths: StringMatchIR[]): PermissionInit {
  return orPermissions(
    paths.map((path) => ({
      rule: { $case: 'urlPath', value: { rule: { $case: 'path', value: stringMatcher(path) } } },
    })),
  );
}

/** The principal matching every peer. */
export function anyPrincipal(): PrincipalInit {
  return { identifier: { $case: 'any', value: true } };
}

/** OR of principals; an empty list matches nothing. */
export function orPrincipals(ids: PrincipalInit[]): PrincipalInit {
  if (ids.length === 0) return { identifier: { $case: 'notId', value: anyPrincipal() } };
  if (ids.length === 1) return ids[0]!;
  return { identifier: { $case: 'orIds', value: { ids } } };
}

/** AND of principals; an empty list matches everything. */
export function andPrincipals(ids: PrincipalInit[]): PrincipalInit {
  if (ids.length === 0) return anyPrincipal();
  if (ids.length === 1) return ids[0]!;
  return { identifier: { $case: 'andIds', value: { ids } } };
}

/** Any of the peer SPIFFE IDs (URI SAN of the verified client certificate). */
export function spiffePrincipals(matches: StringMatchIR[]): PrincipalInit {
  return orPrincipals(
    matches.map((m) => ({
      identifier: { $case: 'authenticated', value: { principalName: stringMatcher(m) } },
    })),
  );
}

/** Splits `10.0.0.0/8` (or a bare address, a host route) into Envoy's CidrRange. */
export function cidrRange(block: string): { addressPrefix: string; prefixLen: number } {
  const [address = '', len] = block.split('/');
  const prefixLen = len === undefined ? (address.includes(':') ? 128 : 32) : Number(len);
  return { addressPrefix: address, prefixLen };
}

/** Any of the CIDR blocks, matched on the direct peer address (never on forwarded headers). */
export function ipBlockPrincipals(blocks: string[]): PrincipalInit {
  return orPrincipals(
    blocks.map((block) => ({ identifier: { $case: 'directRemoteIp', value: cidrRange(block) } })),
  );
}

/**
 * Any of the API-key clients, matched on `header`: the one the API-key check sets (API_KEY_CLIENT_HEADER), or the
 * one the Audit-mode check sets (AUDIT_API_KEY_CLIENT_HEADER). Clients cannot set either: see sanitize.
 */
export function apiKeyClientPrincipals(
  clients: string[],
  header: string = API_KEY_CLIENT_HEADER,
): PrincipalInit {
  return orPrincipals(
    clients.map((name) => ({
      identifier: {
        $case: 'header',
        value: { name: header, headerMatchSpecifier: exactHeader(name) },
      },
    })),
  );
}

/** A value matcher for a string equal to one of `values`. */
function oneOfStrings(values: string[]): DeepPartial<ValueMatcher> {
  const matchers = values.map((value): DeepPartial<ValueMatcher> => ({
    matchPattern: { $case: 'stringMatch', value: { matchPattern: { $case: 'exact', value } } },
  }));
  if (matchers.length === 1) return matchers[0]!;
  return { matchPattern: { $case: 'orMatch', value: { valueMatchers: matchers } } };
}

/**
 * One JWT claim condition: the claim (nested `a.b` → path `[payloadKey, a, b]` in the jwt_authn metadata) is a
 * string equal to one of `values`, or a list with an element equal to one of them. No values matches nothing.
 */
export function jwtClaimPrincipal(
  payloadKey: string,
  claim: { name: string; values: string[] },
): PrincipalInit {
  if (claim.values.length === 0) return orPrincipals([]);
  const path = [payloadKey, ...claim.name.split('.')].map((key) => ({
    segment: { $case: 'key' as const, value: key },
  }));
  const value = oneOfStrings(claim.values);
  const list: DeepPartial<ValueMatcher> = {
    matchPattern: { $case: 'listMatch', value: { matchPattern: { $case: 'oneOf', value } } },
  };
  return orPrincipals(
    [value, list].map((v) => ({
      // `sourced_metadata` (DYNAMIC source) replaces the deprecated `metadata` principal.
      identifier: {
        $case: 'sourcedMetadata',
        value: {
          metadataMatcher: { filter: JWT_METADATA_NAMESPACE, path, value: v },
          metadataSource: MetadataSource.DYNAMIC,
        },
      },
    })),
  );
}
