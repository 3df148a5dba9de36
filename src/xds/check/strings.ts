/** PGV rules on strings and bytes, including the well-known formats Envoy's protos use. */
import { isIP } from 'node:net';
import { compilePattern } from './re2.js';
import type { BytesRules, JsonNumber, StringRules } from './rules.js';
import { goList, num } from './scalars.js';

/**
 * PGV's `well_known_regex` patterns (HTTP_HEADER_NAME = 1, HTTP_HEADER_VALUE = 2), strict and lax, verbatim from
 * protoc-gen-validate's Go templates (`+-.` is a range there too: it admits `,`).
 */
const KNOWN_REGEX: Record<string, { strict: RegExp; lax: RegExp }> = {
  HTTP_HEADER_NAME: { strict: /^:?[0-9a-zA-Z!#$%&'*+-.^_|~`]+$/, lax: /^[^\0\n\r]*$/ },
  // eslint-disable-next-line no-control-regex -- PGV's header value pattern excludes control characters
  HTTP_HEADER_VALUE: { strict: /^[^\0-\x08\n-\x1f\x7f]*$/, lax: /^[^\0\n\r]*$/ },
};

/** Go's `%q` of a string, close enough for messages. */
function quote(s: string): string {
  return JSON.stringify(s);
}

/** One length rule: the rule value, the measured length, and how a violation reads. */
type LengthRule = [JsonNumber | undefined, number, (n: number, actual: number) => boolean, string];

const exactly = (n: number, actual: number): boolean => actual === n;
const atLeast = (n: number, actual: number): boolean => actual >= n;
const atMost = (n: number, actual: number): boolean => actual <= n;

/** Violations of length rules, each `[limit, actual, holds, message prefix]`. */
export function lengthProblems(rules: LengthRule[]): string[] {
  const out: string[] = [];
  for (const [limit, actual, holds, wording] of rules) {
    if (limit !== undefined && !holds(num(limit), actual))
      out.push(wording.replace('%d', String(num(limit))));
  }
  return out;
}

function lengths(rules: StringRules, value: string): string[] {
  const runes = [...value].length;
  const bytes = Buffer.byteLength(value, 'utf8');
  return lengthProblems([
    [rules.len, runes, exactly, 'value length must be %d runes'],
    [rules.min_len, runes, atLeast, 'value length must be at least %d runes'],
    [rules.max_len, runes, atMost, 'value length must be at most %d runes'],
    [rules.len_bytes, bytes, exactly, 'value length must be %d bytes'],
    [rules.min_bytes, bytes, atLeast, 'value length must be at least %d bytes'],
    [rules.max_bytes, bytes, atMost, 'value length must be at most %d bytes'],
  ]);
}

function affixes(rules: StringRules, value: string): string[] {
  const out: string[] = [];
  if (rules.prefix !== undefined && !value.startsWith(rules.prefix)) {
    out.push(`value does not have prefix ${quote(rules.prefix)}`);
  }
  if (rules.suffix !== undefined && !value.endsWith(rules.suffix)) {
    out.push(`value does not have suffix ${quote(rules.suffix)}`);
  }
  if (rules.contains !== undefined && !value.includes(rules.contains)) {
    out.push(`value does not contain substring ${quote(rules.contains)}`);
  }
  if (rules.not_contains !== undefined && value.includes(rules.not_contains)) {
    out.push(`value contains substring ${quote(rules.not_contains)}`);
  }
  return out;
}

function membership(rules: StringRules, value: string): string[] {
  if (rules.const !== undefined && value !== rules.const) return [`value must equal ${quote(rules.const)}`];
  if (rules.in !== undefined && rules.in.length > 0 && !rules.in.includes(value)) {
    return [`value must be in list ${goList(rules.in)}`];
  }
  if (rules.not_in?.includes(value) === true) return [`value must not be in list ${goList(rules.not_in)}`];
  return [];
}

function pattern(rules: StringRules, value: string): string[] {
  if (rules.pattern === undefined) return [];
  const re = compilePattern(rules.pattern);
  if (typeof re === 'string') return [`pattern ${quote(rules.pattern)} does not compile as RE2: ${re}`];
  return re.test(value) ? [] : [`value does not match regex pattern ${quote(rules.pattern)}`];
}

/** PGV's hostname check (`_validateHostname`): the reason it fails, or undefined. */
export function hostnameProblem(host: string): string | undefined {
  if (host.length > 253) return 'hostname cannot exceed 253 characters';
  const s = (host.endsWith('.') ? host.slice(0, -1) : host).toLowerCase();
  for (const part of s.split('.')) {
    if (part.length === 0 || part.length > 63)
      return 'hostname part must be non-empty and cannot exceed 63 characters';
    if (part.startsWith('-')) return 'hostname parts cannot begin with hyphens';
    if (part.endsWith('-')) return 'hostname parts cannot end with hyphens';
    if (!/^[a-z0-9-]+$/.test(part))
      return 'hostname parts can only contain alphanumeric characters or hyphens';
  }
  return undefined;
}

/** IPv4-mapped IPv6 addresses count as IPv4 in Go (`To4() != nil`). */
function ipVersion(value: string): 0 | 4 | 6 {
  const v = isIP(value);
  if (v === 6 && /^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(value)) return 4;
  return v as 0 | 4 | 6;
}

function uriProblem(value: string, absolute: boolean): string | undefined {
  // eslint-disable-next-line no-control-regex -- a URI has no control characters
  if (/[\s\0-\x1f\x7f]/.test(value)) return 'value must be a valid URI';
  if (!absolute) return undefined;
  return /^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(value) && URL.canParse(value)
    ? undefined
    : 'value must be absolute';
}

/** The well-known format checks, each: is it requested, and the violation if any. */
function wellKnown(rules: StringRules, value: string): string[] {
  const checks: [boolean | undefined, () => string | undefined][] = [
    [rules.hostname, () => hostnameProblem(value) && 'value must be a valid hostname'],
    [rules.ip, () => (ipVersion(value) === 0 ? 'value must be a valid IP address' : undefined)],
    [rules.ipv4, () => (ipVersion(value) === 4 ? undefined : 'value must be a valid IPv4 address')],
    [rules.ipv6, () => (ipVersion(value) === 6 ? undefined : 'value must be a valid IPv6 address')],
    [rules.uri, () => uriProblem(value, true)],
    [rules.uri_ref, () => uriProblem(value, false)],
    [
      rules.address,
      () =>
        ipVersion(value) === 0 && hostnameProblem(value) !== undefined
          ? 'value must be a valid hostname, or ip address'
          : undefined,
    ],
    [
      rules.uuid,
      () =>
        /^[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}$/.test(value)
          ? undefined
          : 'value must be a valid UUID',
    ],
  ];
  const out: string[] = [];
  for (const [on, check] of checks) {
    const problem = on === true ? check() : undefined;
    if (problem !== undefined) out.push(problem);
  }
  return out;
}

function knownRegex(rules: StringRules, value: string): string[] {
  const known = rules.well_known_regex === undefined ? undefined : KNOWN_REGEX[rules.well_known_regex];
  if (known === undefined) return [];
  const re = rules.strict === false ? known.lax : known.strict;
  return re.test(value) ? [] : [`value does not match regex pattern ${quote(re.source)}`];
}

/** Violations of a string value. */
export function checkString(rules: StringRules, value: string): string[] {
  if (rules.ignore_empty === true && value === '') return [];
  return [
    ...membership(rules, value),
    ...lengths(rules, value),
    ...pattern(rules, value),
    ...affixes(rules, value),
    ...wellKnown(rules, value),
    ...knownRegex(rules, value),
  ];
}

function hasSub(value: Uint8Array, sub: Uint8Array, at: 'start' | 'end' | 'any'): boolean {
  const buf = Buffer.from(value);
  if (at === 'start') return buf.subarray(0, sub.length).equals(sub);
  if (at === 'end') return sub.length <= buf.length && buf.subarray(buf.length - sub.length).equals(sub);
  return buf.indexOf(sub) >= 0;
}

function bytesOf(base64: string): Buffer {
  return Buffer.from(base64, 'base64');
}

/** Violations of a bytes value (rule values arrive base64, as JSON prints bytes). */
export function checkBytes(rules: BytesRules, value: Uint8Array): string[] {
  if (rules.ignore_empty === true && value.length === 0) return [];
  const b64 = Buffer.from(value).toString('base64');
  const out = lengthProblems([
    [rules.len, value.length, exactly, 'value length must be %d bytes'],
    [rules.min_len, value.length, atLeast, 'value length must be at least %d bytes'],
    [rules.max_len, value.length, atMost, 'value length must be at most %d bytes'],
  ]);
  const affix: [string | undefined, 'start' | 'end' | 'any', string][] = [
    [rules.prefix, 'start', 'value does not have the required prefix'],
    [rules.suffix, 'end', 'value does not have the required suffix'],
    [rules.contains, 'any', 'value does not contain the required bytes'],
  ];
  for (const [sub, where, message] of affix) {
    if (sub !== undefined && !hasSub(value, bytesOf(sub), where)) out.push(message);
  }
  return [...bytesMembership(rules, b64), ...out];
}

function bytesMembership(rules: BytesRules, b64: string): string[] {
  if (rules.const !== undefined && rules.const !== b64) return ['value must equal the const bytes'];
  if (rules.in !== undefined && rules.in.length > 0 && !rules.in.includes(b64))
    return ['value must be in list'];
  return rules.not_in?.includes(b64) === true ? ['value must not be in list'] : [];
}
