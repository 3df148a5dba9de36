/**
 * Test helper: evaluates the Envoy RBAC HTTP filters aspen emits against one request, following Envoy's documented
 * RBAC semantics for the matchers aspen uses (any, and/or/not sets, `:method` and other headers, url_path
 * exact/prefix/RE2 regex (full match, with re2js), authenticated principal name, direct remote IPv4
 * CIDR, jwt_authn metadata string/list/or matches). It lets tests state behaviour ("this request, from this peer,
 * with these claims, is denied") instead of shapes. Shadow rules never decide: evaluateRbac ignores them, and
 * evaluateShadow reports what they would have done.
 */
import type {
  SourcedMetadata,
  Permission,
  Policy,
  Principal,
  RBAC as RbacRules,
} from '../../../../src/gen/envoy/config/rbac/v3/rbac.js';
import { MetadataSource, RBAC_Action } from '../../../../src/gen/envoy/config/rbac/v3/rbac.js';
import type { HeaderMatcher } from '../../../../src/gen/envoy/config/route/v3/route_components.js';
import { RBAC } from '../../../../src/gen/envoy/extensions/filters/http/rbac/v3/rbac.js';
import type { HttpFilter } from '../../../../src/gen/envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.js';
import type { MetadataMatcher } from '../../../../src/gen/envoy/type/matcher/v3/metadata.js';
import type { StringMatcher } from '../../../../src/gen/envoy/type/matcher/v3/string.js';
import type { ValueMatcher } from '../../../../src/gen/envoy/type/matcher/v3/value.js';
import { RE2JS } from 're2js';
import { unpackAnyAs } from '../../../../src/xds/proto/any.js';

/** One request as the RBAC filters see it. */
export interface EvalRequest {
  /** HTTP method. */
  method: string;
  /** `:path`, possibly with a query string. */
  path: string;
  /** URI SAN of the verified peer certificate, if any. */
  peer?: string;
  /** Direct peer IPv4 address. */
  remoteIp?: string;
  /** Request headers (lower-case names), after earlier filters ran. */
  headers?: Record<string, string>;
  /** Dynamic metadata by namespace. */
  metadata?: Record<string, Record<string, unknown>>;
}

/** The outcome: allowed, or denied by the named filter. */
export type EvalResult = { allowed: true } | { allowed: false; by: string };

/** A header's value for a request (pseudo-headers from the request line). */
function headerValue(req: EvalRequest, name: string): string | undefined {
  if (name === ':method') return req.method;
  if (name === ':path') return req.path;
  return req.headers?.[name];
}

/** A StringMatcher against a value. */
export function stringMatches(m: StringMatcher | undefined, value: string | undefined): boolean {
  const p = m?.matchPattern;
  if (value === undefined || p === undefined) return false;
  switch (p.$case) {
    case 'exact':
      return value === p.value;
    case 'prefix':
      return value.startsWith(p.value);
    case 'safeRegex':
      return RE2JS.compile(p.value.regex).matches(value);
    default:
      throw new Error(`rbac-eval: unsupported string matcher ${p.$case}`);
  }
}

/**
 * A HeaderMatcher (`string_match`, `present_match`, `range_match` [start, end) of a base-10 integer, as aspen emits)
 * against a request; a missing header matches only `present_match: false`.
 */
function headerMatches(m: HeaderMatcher, req: EvalRequest): boolean {
  const s = m.headerMatchSpecifier;
  const value = headerValue(req, m.name);
  if (s?.$case === 'presentMatch') return (value !== undefined) === s.value;
  if (value === undefined) return false;
  if (s?.$case === 'rangeMatch') return inRange(value, s.value.start, s.value.end);
  if (s?.$case !== 'stringMatch') throw new Error(`rbac-eval: unsupported header matcher ${s?.$case}`);
  return stringMatches(s.value, value);
}

/** Whether a header value is a base-10 integer in [start, end). */
function inRange(value: string, start: number, end: number): boolean {
  return /^-?[0-9]+$/.test(value) && Number(value) >= start && Number(value) < end;
}

/** An IPv4 address as a number. */
function ipv4(address: string): number {
  return address.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
}

/** Whether an IPv4 address is in a CIDR range (IPv6 ranges never match here). */
function inCidr(address: string | undefined, prefix: string, len: number): boolean {
  if (address === undefined || prefix.includes(':')) return false;
  const size = 2 ** (32 - len);
  return Math.floor(ipv4(address) / size) === Math.floor(ipv4(prefix) / size);
}

/** A ValueMatcher against a metadata value. */
function valueMatches(m: ValueMatcher | undefined, value: unknown): boolean {
  const p = m?.matchPattern;
  switch (p?.$case) {
    case 'stringMatch':
      return typeof value === 'string' && stringMatches(p.value, value);
    case 'orMatch':
      return p.value.valueMatchers.some((v) => valueMatches(v, value));
    case 'listMatch':
      return Array.isArray(value) && value.some((item) => valueMatches(p.value.matchPattern?.value, item));
    default:
      throw new Error(`rbac-eval: unsupported value matcher ${p?.$case}`);
  }
}

/** A MetadataMatcher against the request's dynamic metadata. */
function metadataMatches(m: MetadataMatcher, req: EvalRequest): boolean {
  let value: unknown = req.metadata?.[m.filter];
  for (const segment of m.path) {
    value =
      typeof value === 'object' && value !== null
        ? (value as Record<string, unknown>)[segment.segment?.value ?? '']
        : undefined;
  }
  return value !== undefined && valueMatches(m.value, value);
}

/** Whether a permission matches the request. */
export function permissionMatches(p: Permission, req: EvalRequest): boolean {
  const rule = p.rule;
  switch (rule?.$case) {
    case 'any':
      return rule.value;
    case 'andRules':
      return rule.value.rules.every((r) => permissionMatches(r, req));
    case 'orRules':
      return rule.value.rules.some((r) => permissionMatches(r, req));
    case 'notRule':
      return !permissionMatches(rule.value, req);
    case 'header':
      return headerMatches(rule.value, req);
    case 'urlPath':
      return stringMatches(rule.value.rule?.value, req.path.split('?')[0]);
    default:
      throw new Error(`rbac-eval: unsupported permission ${rule?.$case}`);
  }
}

/** Whether a set principal (and/or/not) matches, or undefined when it is not a set. */
function setPrincipalMatches(p: Principal, req: EvalRequest): boolean | undefined {
  const id = p.identifier;
  if (id?.$case === 'andIds') return id.value.ids.every((x) => principalMatches(x, req));
  if (id?.$case === 'orIds') return id.value.ids.some((x) => principalMatches(x, req));
  if (id?.$case === 'notId') return !principalMatches(id.value, req);
  return undefined;
}

/** A `sourced_metadata` principal (aspen emits DYNAMIC ones only). */
function sourcedMetadataMatches(m: SourcedMetadata, req: EvalRequest): boolean {
  if (m.metadataSource !== MetadataSource.DYNAMIC) throw new Error('rbac-eval: only DYNAMIC metadata');
  return m.metadataMatcher !== undefined && metadataMatches(m.metadataMatcher, req);
}

/** Whether a principal matches the request. */
export function principalMatches(p: Principal, req: EvalRequest): boolean {
  const set = setPrincipalMatches(p, req);
  if (set !== undefined) return set;
  const id = p.identifier;
  switch (id?.$case) {
    case 'any':
      return id.value;
    case 'authenticated':
      return stringMatches(id.value.principalName, req.peer);
    case 'directRemoteIp':
      return inCidr(req.remoteIp, id.value.addressPrefix, id.value.prefixLen ?? 32);
    case 'header':
      return headerMatches(id.value, req);
    case 'sourcedMetadata':
      return sourcedMetadataMatches(id.value, req);
    default:
      throw new Error(`rbac-eval: unsupported principal ${id?.$case}`);
  }
}

/** Whether a policy matches: any permission and any principal. */
function policyMatches(policy: Policy, req: EvalRequest): boolean {
  return (
    policy.permissions.some((p) => permissionMatches(p, req)) &&
    policy.principals.some((p) => principalMatches(p, req))
  );
}

/** Whether enforcing rules let the request through. */
function rulesAllow(rules: RbacRules, req: EvalRequest): boolean {
  const matched = Object.values(rules.policies).some((policy) => policyMatches(policy, req));
  return rules.action === RBAC_Action.ALLOW ? matched : !matched;
}

/** Runs the request through the RBAC filters among `filters`, in order; other filters are skipped. */
export function evaluateRbac(filters: HttpFilter[], req: EvalRequest): EvalResult {
  for (const filter of filters) {
    const any = filter.configType?.$case === 'typedConfig' ? filter.configType.value : undefined;
    if (any?.typeUrl !== `type.googleapis.com/${RBAC.$type}`) continue;
    const rules = unpackAnyAs(any, RBAC).rules;
    if (rules !== undefined && !rulesAllow(rules, req)) return { allowed: false, by: filter.name };
  }
  return { allowed: true };
}

/** What one filter's shadow rules would have done: Envoy's `shadow_engine_result` and `shadow_effective_policy_id`. */
export interface ShadowResult {
  /** `allowed` or `denied`. */
  result: 'allowed' | 'denied';
  /** The first matching policy by name (Envoy's policy map is ordered), if any matched. */
  policy?: string;
}

/** The shadow verdict of every RBAC filter among `filters` that has shadow rules, by filter name. */
export function evaluateShadow(filters: HttpFilter[], req: EvalRequest): Record<string, ShadowResult> {
  const out: Record<string, ShadowResult> = {};
  for (const filter of filters) {
    const any = filter.configType?.$case === 'typedConfig' ? filter.configType.value : undefined;
    if (any?.typeUrl !== `type.googleapis.com/${RBAC.$type}`) continue;
    const shadow = unpackAnyAs(any, RBAC).shadowRules;
    if (shadow === undefined) continue;
    const policy = Object.keys(shadow.policies)
      .sort()
      .find((name) => policyMatches(shadow.policies[name]!, req));
    const matched = policy !== undefined;
    const allowed = shadow.action === RBAC_Action.ALLOW ? matched : !matched;
    out[filter.name] = { result: allowed ? 'allowed' : 'denied', ...(matched ? { policy } : {}) };
  }
  return out;
}
