/**
 * Local (per-sidecar) rate limits: `envoy.filters.http.local_ratelimit`, one filter per `scope: Local` limit.
 *
 * Structure: each limit gets its own filter, so limits stay independent and exact (a request must pass every
 * matching one; each has its own stats `<stat_prefix>.http_local_rate_limit.{enabled,ok,rate_limited,enforced}` and
 * its own `x-ratelimit-*` numbers). A filter has no default token bucket, so requests producing no descriptor
 * (not selected by the limit's `match`) pass untouched; its filter-level `rate_limits` compute the descriptor
 * (filters/ratelimit-actions.ts) and its `descriptors` hold the buckets:
 * - `[rule=<id>, key=""]` (entry named `remote_address` for peer-address keys): the empty value is a wildcard, so
 *   Envoy (1.40, the target) keeps one bucket per distinct key value, in an LRU of `max_dynamic_descriptors` entries per limit
 *   (an evicted key starts again from a full bucket);
 * - `[rule=<id>]`: one bucket for every request without a key value (or for all requests of a limit without key).
 *
 * Bucket: `max_tokens = requests + burst`, `tokens_per_fill = requests`, `fill_interval = per`. A `per` under
 * Envoy's 50 ms minimum becomes 50 ms with `tokens_per_fill` scaled to keep the rate (rounded down, at least 1).
 *
 * Enforce-mode limits answer 429 with `x-ratelimit-limit/remaining/reset` (draft 03) and `retry-after`. Audit-mode
 * limits are the same filters with `filter_enforced` 0%: they count (`rate_limited` stat, prefix
 * `aspen_audit_...` instead of `aspen_enforce_...`) but never block and add no response headers; a request they
 * would have refused gets AUDIT_RATE_LIMITED_HEADER = its limit id (an `x-aspen-*` header, so clients cannot set
 * it: the sanitize filter strips those first), which the access log records as a would-deny.
 */
import { ACCESS_LOG_CONTRACT } from '../../../api/contracts.js';
import { XRateLimitHeadersRFCVersion } from '../../../gen/envoy/extensions/common/ratelimit/v3/ratelimit.js';
import { LocalRateLimit } from '../../../gen/envoy/extensions/filters/http/local_ratelimit/v3/local_rate_limit.js';
import { HttpFilter } from '../../../gen/envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.js';
import {
  HeaderValueOption_HeaderAppendAction,
  RuntimeFractionalPercent,
} from '../../../gen/envoy/config/core/v3/base.js';
import { FractionalPercent_DenominatorType } from '../../../gen/envoy/type/v3/percent.js';
import { TokenBucket } from '../../../gen/envoy/type/v3/token_bucket.js';
import { API_KEY_CLIENT_HEADER, RATE_LIMIT_DESCRIPTOR_KEYS } from '../../../api/contracts.js';
import type { PolicySetIR, RateLimitIR } from '../../../ir/index.js';
import { durationMs, typedConfig } from '../common.js';
import type { FilterOutput, HttpFilterModule, ModuleContext } from './module.js';
import { clientHeaderOf, keyEntryName, limitRateLimit, payloadKeyOf } from './ratelimit-actions.js';

/** Envoy's name of the filter; each instance is named `<this>/<mode>/<limit id>`. */
export const LOCAL_RATE_LIMIT_FILTER = 'envoy.filters.http.local_ratelimit';
/** Distinct key values (clients) remembered per keyed limit before the least recently seen is forgotten. */
export const MAX_DYNAMIC_DESCRIPTORS = 10000;
/** Envoy's smallest token-bucket fill interval. */
export const MIN_FILL_INTERVAL_MS = 50;

/** Request header naming each Audit-mode limit that would have refused the request (read by the access log). */
export const AUDIT_RATE_LIMITED_HEADER = ACCESS_LOG_CONTRACT.auditRateLimitedHeader;

/** Whether a filter enforces its limits or only counts what it would refuse. */
export type LimitMode = 'enforce' | 'audit';

/** A fixed percentage with no runtime key (nothing can change it at runtime). */
export function percent(value: number): RuntimeFractionalPercent {
  return RuntimeFractionalPercent.fromPartial({
    defaultValue: { numerator: value, denominator: FractionalPercent_DenominatorType.HUNDRED },
  });
}

/** A stat prefix per mode and limit: `aspen_<mode>_<limit id with every non-alphanumeric as _>`. */
export function limitStatPrefix(mode: LimitMode, limitId: string): string {
  return `aspen_${mode}_${limitId.replace(/[^A-Za-z0-9]/g, '_')}`;
}

/** The token bucket of a limit: `requests + burst` tokens, `requests` more every interval (at least 50 ms). */
export function limitTokenBucket(limit: RateLimitIR): TokenBucket {
  if (limit.intervalMs >= MIN_FILL_INTERVAL_MS) {
    return TokenBucket.fromPartial({
      maxTokens: limit.requests + limit.burst,
      tokensPerFill: limit.requests,
      fillInterval: durationMs(limit.intervalMs),
    });
  }
  const perFill = Math.max(1, Math.floor((limit.requests * MIN_FILL_INTERVAL_MS) / limit.intervalMs));
  return TokenBucket.fromPartial({
    maxTokens: Math.max(perFill, limit.requests + limit.burst),
    tokensPerFill: perFill,
    fillInterval: durationMs(MIN_FILL_INTERVAL_MS),
  });
}

/**
 * The local_ratelimit config of one limit; JWT claims are read under `payloadKey` (see payloadKeyOf), API-key clients
 * from `clientHeader` (see clientHeaderOf).
 */
export function localRateLimitConfig(
  limit: RateLimitIR,
  mode: LimitMode,
  payloadKey: string,
  clientHeader: string = API_KEY_CLIENT_HEADER,
): LocalRateLimit {
  const tokenBucket = limitTokenBucket(limit);
  const rule = { key: RATE_LIMIT_DESCRIPTOR_KEYS.rule, value: limit.id };
  const keyed = limit.key !== undefined;
  const enforced = mode === 'enforce';
  return LocalRateLimit.fromPartial({
    statPrefix: limitStatPrefix(mode, limit.id),
    filterEnabled: percent(100),
    filterEnforced: percent(enforced ? 100 : 0),
    descriptors: [
      ...(keyed ? [{ entries: [rule, { key: keyEntryName(limit), value: '' }], tokenBucket }] : []),
      { entries: [rule], tokenBucket },
    ],
    rateLimits: [limitRateLimit(limit, payloadKey, [], clientHeader)],
    maxDynamicDescriptors: keyed ? MAX_DYNAMIC_DESCRIPTORS : undefined,
    alwaysConsumeDefaultTokenBucket: false,
    enableXRatelimitHeaders: enforced
      ? XRateLimitHeadersRFCVersion.DRAFT_VERSION_03
      : XRateLimitHeadersRFCVersion.OFF,
    enableRetryAfterHeader: enforced,
    requestHeadersToAddWhenNotEnforced: enforced
      ? []
      : [
          {
            header: { key: AUDIT_RATE_LIMITED_HEADER, value: limit.id },
            appendAction: HeaderValueOption_HeaderAppendAction.APPEND_IF_EXISTS_OR_ADD,
          },
        ],
  });
}

/** The filters of the Local-scope limits of one policy set, one per limit. */
function setFilters(set: PolicySetIR | undefined, mode: LimitMode): HttpFilter[] {
  if (set === undefined) return [];
  const payloadKey = payloadKeyOf(set, mode);
  const clientHeader = clientHeaderOf(set, mode);
  return set.rateLimits
    .filter((limit) => limit.scope === 'Local')
    .map((limit) =>
      HttpFilter.fromPartial({
        name: `${LOCAL_RATE_LIMIT_FILTER}/${mode}/${limit.id}`,
        configType: typedConfig(localRateLimitConfig(limit, mode, payloadKey, clientHeader)),
      }),
    );
}

/** The local rate-limit module: enforced limits first, then the audit ones. */
export const localRateLimitFilter: HttpFilterModule = {
  id: 'local-ratelimit',
  build(ctx: ModuleContext): FilterOutput {
    return {
      httpFilters: [...setFilters(ctx.port.enforce, 'enforce'), ...setFilters(ctx.port.audit, 'audit')],
      clusters: [],
    };
  },
};
