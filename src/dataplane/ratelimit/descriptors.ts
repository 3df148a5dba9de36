/**
 * Reading a RateLimitRequest from a sidecar: the shape the translation emits (src/xds/translate/filters/
 * global-ratelimit.ts) and nothing else. Domain RATE_LIMIT_DOMAIN; per descriptor the entries `policy`, `rule` and
 * optionally the key (`key`, or `remote_address` as Envoy names the peer-address entry); no limit override (a
 * sidecar never chooses its own limit). Hostile requests — too many descriptors, too many or too long entries, a
 * huge hits_addend — are refused whole, before any counter is touched. Pure.
 */
import { RATE_LIMIT_DESCRIPTOR_KEYS, RATE_LIMIT_DOMAIN } from '../../api/contracts.js';
import type { RateLimitRequest } from '../../gen/envoy/service/ratelimit/v3/rls.js';

/** Bounds on what one request may carry. */
export const DESCRIPTOR_LIMITS = {
  /** Descriptors per request (one per matching limit of the port). */
  maxDescriptors: 64,
  /** Bytes of an entry value (a header, claim or address used as the key). */
  maxValueBytes: 1024,
  /** Largest hits_addend. */
  maxHits: 1000,
} as const;

/** One descriptor, read. */
export interface ParsedDescriptor {
  /** `<namespace>/<policy>`. */
  policy: string;
  /** `<namespace>/<policy>/<limit>`. */
  rule: string;
  /** The key value; undefined when the request had none (one shared bucket for the limit). */
  key: string | undefined;
  /** Tokens to take. */
  hits: number;
}

/** Envoy's fixed entry name for the peer address action. */
const REMOTE_ADDRESS = 'remote_address';

function hitsOf(value: number | undefined, fallback: number): number {
  return value === undefined || value === 0 ? fallback : value;
}

const KEY_ENTRIES: readonly string[] = [RATE_LIMIT_DESCRIPTOR_KEYS.key, REMOTE_ADDRESS];

function entryShapeProblem(entries: readonly { key: string; value: string }[]): string | undefined {
  if (entries.length < 2 || entries.length > 3)
    return `a descriptor has ${entries.length} entries (2 or 3 expected)`;
  if (entries[0]?.key !== RATE_LIMIT_DESCRIPTOR_KEYS.policy) return 'the first entry must be `policy`';
  if (entries[1]?.key !== RATE_LIMIT_DESCRIPTOR_KEYS.rule) return 'the second entry must be `rule`';
  const key = entries[2];
  if (key !== undefined && !KEY_ENTRIES.includes(key.key))
    return 'the third entry must be `key` or `remote_address`';
  const tooLong = entries.some((e) => Buffer.byteLength(e.value) > DESCRIPTOR_LIMITS.maxValueBytes);
  return tooLong ? `an entry value is longer than ${DESCRIPTOR_LIMITS.maxValueBytes} bytes` : undefined;
}

function parseEntries(
  entries: readonly { key: string; value: string }[],
): Omit<ParsedDescriptor, 'hits'> | string {
  const problem = entryShapeProblem(entries);
  if (problem !== undefined) return problem;
  return { policy: entries[0]?.value ?? '', rule: entries[1]?.value ?? '', key: entries[2]?.value };
}

/** The descriptors of a request, or why it is refused (a message naming no value from the request). */
export function parseRequest(request: RateLimitRequest): ParsedDescriptor[] | string {
  if (request.domain !== RATE_LIMIT_DOMAIN) return `domain must be ${RATE_LIMIT_DOMAIN}`;
  if (request.descriptors.length === 0) return 'no descriptors';
  if (request.descriptors.length > DESCRIPTOR_LIMITS.maxDescriptors) {
    return `more than ${DESCRIPTOR_LIMITS.maxDescriptors} descriptors`;
  }
  const requestHits = hitsOf(request.hitsAddend, 1);
  const parsed: ParsedDescriptor[] = [];
  for (const descriptor of request.descriptors) {
    if (descriptor.limit !== undefined) return 'a descriptor carries a limit override';
    if (descriptor.isNegativeHits) return 'negative hits are not accepted';
    const hits = hitsOf(descriptor.hitsAddend, requestHits);
    if (hits > DESCRIPTOR_LIMITS.maxHits) return `hits_addend above ${DESCRIPTOR_LIMITS.maxHits}`;
    const entries = parseEntries(descriptor.entries);
    if (typeof entries === 'string') return entries;
    parsed.push({ ...entries, hits });
  }
  return parsed;
}
