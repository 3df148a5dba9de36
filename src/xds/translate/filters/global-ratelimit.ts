/**
 * Global rate limits (`scope: Global`): `envoy.filters.http.ratelimit` calling aspen's rate-limit service
 * (`envoy.service.ratelimit.v3.RateLimitService`, the dataplane role, cluster DATAPLANE_CLUSTER over mTLS).
 *
 * One filter for the Enforce-mode limits and one for the Audit-mode limits of a port; each sends, in one call, one
 * descriptor per matching limit in domain RATE_LIMIT_DOMAIN (`aspen`):
 *   `[(policy, <namespace>/<policy>), (rule, <limit id>), (key, <value>)]`
 * built by filters/ratelimit-actions.ts: a limit whose `match` does not select the request sends no descriptor; the
 * key entry is `key` (JWT claim, header, API-key client) or `remote_address` (peer IP, a name Envoy fixes), and is
 * left out when the request has no value for it — the service counts such requests in one shared bucket per limit.
 *
 * The limit's numbers (`requests` per `per` with `burst`, as a token bucket like the local limits, and whether it is
 * an Audit-mode limit) are not in the descriptor: the rate-limit service learns them from the same IR through the
 * control plane (every RateLimitIR with `scope: Global`, keyed by its id = the `rule` entry), so a sidecar can never
 * choose its own limit. A descriptor naming an unknown rule is the service's to refuse.
 *
 * Failure follows each limit's `failureMode` (default Closed): the Enforce-mode limits are split into two filters,
 * `<name>/enforce` with the Closed limits (`failure_mode_deny`: when the service cannot be reached, errors, or does
 * not answer within GLOBAL_RATE_LIMIT_TIMEOUT_MS, the request is refused with HTTP 500, never let through unlimited)
 * and `<name>/enforce-open` with the Open limits (such a request goes on uncounted). The service applies the same
 * rule when its own shared counters (Redis) fail. The audit filter fails open and
 * has `filter_enforced` 0%: it counts what would be refused and never blocks. Enforced 429s carry
 * `x-ratelimit-*` (draft 03, from the service's answer) and `retry-after`.
 */
import { ApiVersion } from '../../../gen/envoy/config/core/v3/config_source.js';
import { RateLimitServiceConfig } from '../../../gen/envoy/config/ratelimit/v3/rls.js';
import { RateLimit_Action } from '../../../gen/envoy/config/route/v3/route_components.js';
import {
  RateLimit,
  RateLimit_XRateLimitHeadersRFCVersion,
} from '../../../gen/envoy/extensions/filters/http/ratelimit/v3/rate_limit.js';
import { HttpFilter } from '../../../gen/envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.js';
import {
  API_KEY_CLIENT_HEADER,
  RATE_LIMIT_DESCRIPTOR_KEYS,
  RATE_LIMIT_DOMAIN,
} from '../../../api/contracts.js';
import type { PolicySetIR, RateLimitIR } from '../../../ir/index.js';
import { dataplaneCluster } from '../clusters.js';
import { durationMs, typedConfig } from '../common.js';
import { DATAPLANE_CLUSTER } from '../names.js';
import type { FilterOutput, HttpFilterModule, ModuleContext } from './module.js';
import type { LimitMode } from './local-ratelimit.js';
import { percent } from './local-ratelimit.js';
import { clientHeaderOf, limitRateLimit, payloadKeyOf, policyOfLimit } from './ratelimit-actions.js';

/**
 * Envoy's name of the filter; the instances are named `<this>/enforce` (Closed limits), `<this>/enforce-open` (Open
 * limits) and `<this>/audit`.
 */
export const GLOBAL_RATE_LIMIT_FILTER = 'envoy.filters.http.ratelimit';
/** How long a sidecar waits for the rate-limit service before treating the call as failed. */
export const GLOBAL_RATE_LIMIT_TIMEOUT_MS = 100;

/** The `policy` entry: the policy that declared the limit. */
function policyAction(limit: RateLimitIR): RateLimit_Action {
  return RateLimit_Action.fromPartial({
    actionSpecifier: {
      $case: 'genericKey',
      value: { descriptorKey: RATE_LIMIT_DESCRIPTOR_KEYS.policy, descriptorValue: policyOfLimit(limit.id) },
    },
  });
}

/** The rate-limit service reached through the dataplane cluster, over the v3 transport. */
export function rateLimitService(): RateLimitServiceConfig {
  return RateLimitServiceConfig.fromPartial({
    grpcService: { targetSpecifier: { $case: 'envoyGrpc', value: { clusterName: DATAPLANE_CLUSTER } } },
    transportApiVersion: ApiVersion.V3,
  });
}

/** How a filter instance treats a failed call: Enforce Closed, Enforce Open, or Audit (never blocks). */
export type GlobalFilterKind = LimitMode | 'enforce-open';

/**
 * The ratelimit config of the Global limits of one kind; JWT claims are read under `payloadKey` (payloadKeyOf),
 * API-key clients from `clientHeader` (clientHeaderOf).
 */
export function globalRateLimitConfig(
  limits: readonly RateLimitIR[],
  kind: GlobalFilterKind,
  payloadKey: string,
  clientHeader: string = API_KEY_CLIENT_HEADER,
): RateLimit {
  const enforced = kind !== 'audit';
  return RateLimit.fromPartial({
    domain: RATE_LIMIT_DOMAIN,
    statPrefix: `aspen_${kind.replace('-', '_')}`,
    timeout: durationMs(GLOBAL_RATE_LIMIT_TIMEOUT_MS),
    failureModeDeny: kind === 'enforce',
    rateLimitService: rateLimitService(),
    filterEnabled: percent(100),
    filterEnforced: percent(enforced ? 100 : 0),
    enableXRatelimitHeaders: enforced
      ? RateLimit_XRateLimitHeadersRFCVersion.DRAFT_VERSION_03
      : RateLimit_XRateLimitHeadersRFCVersion.OFF,
    enableRetryAfterHeader: enforced,
    rateLimits: limits.map((limit) => limitRateLimit(limit, payloadKey, [policyAction(limit)], clientHeader)),
  });
}

/** Which filter kind a Global limit of a policy set of this mode belongs to. */
function kindOf(limit: RateLimitIR, mode: LimitMode): GlobalFilterKind {
  if (mode === 'audit') return 'audit';
  return limit.failureMode === 'Open' ? 'enforce-open' : 'enforce';
}

/** The filter for the Global limits of one policy set and kind, or none when it has none. */
function setFilters(set: PolicySetIR | undefined, mode: LimitMode, kind: GlobalFilterKind): HttpFilter[] {
  const limits = (set?.rateLimits ?? []).filter(
    (limit) => limit.scope === 'Global' && kindOf(limit, mode) === kind,
  );
  if (set === undefined || limits.length === 0) return [];
  return [
    HttpFilter.fromPartial({
      name: `${GLOBAL_RATE_LIMIT_FILTER}/${kind}`,
      configType: typedConfig(
        globalRateLimitConfig(limits, kind, payloadKeyOf(set, mode), clientHeaderOf(set, mode)),
      ),
    }),
  ];
}

/**
 * The global rate-limit module: the enforcing filters (Closed limits, then Open ones), then the audit one; the
 * dataplane cluster when used.
 */
export const globalRateLimitFilter: HttpFilterModule = {
  id: 'global-ratelimit',
  build(ctx: ModuleContext): FilterOutput {
    const httpFilters = [
      ...setFilters(ctx.port.enforce, 'enforce', 'enforce'),
      ...setFilters(ctx.port.enforce, 'enforce', 'enforce-open'),
      ...setFilters(ctx.port.audit, 'audit', 'audit'),
    ];
    return { httpFilters, clusters: httpFilters.length > 0 ? [dataplaneCluster(ctx.config)] : [] };
  },
};
