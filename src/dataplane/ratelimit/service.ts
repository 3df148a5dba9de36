/**
 * aspen's global rate-limit service (`envoy.service.ratelimit.v3.RateLimitService`): checks the request
 * (descriptors.ts), resolves each descriptor to a Global limit of the current state — the caller's own namespace
 * only — takes a token per descriptor from the backend, and answers OVER_LIMIT when any bucket is empty.
 *
 * Each status carries the limit (`current_limit`), the tokens left and the time to the next fill, from which Envoy
 * writes `x-ratelimit-limit`, `x-ratelimit-remaining`, `x-ratelimit-reset` (draft 03) and `retry-after`. An
 * over-limit answer carries `{policy, rule}` as dynamic metadata (ACCESS_LOG_CONTRACT.rateLimitNamespace) for the
 * access log.
 *
 * When the backend fails for a descriptor, its limit's failure mode decides: Open counts nothing and admits; Closed
 * fails the whole call (UNAVAILABLE), which the sidecar's enforcing filter turns into a refused request.
 */
import { status as GrpcStatus } from '@grpc/grpc-js';
import {
  RateLimitResponse,
  RateLimitResponse_Code,
  RateLimitResponse_RateLimit_Unit,
} from '../../gen/envoy/service/ratelimit/v3/rls.js';
import type {
  RateLimitRequest,
  RateLimitResponse_DescriptorStatus,
} from '../../gen/envoy/service/ratelimit/v3/rls.js';
import type { Clock, Logger } from '../../xds/server/types.js';
import type { CallerIdentity } from '../identity.js';
import type { DataplaneMetrics } from '../metrics.js';
import type { DataplaneState, GlobalLimit } from '../state.js';
import type { RateLimitBackend } from './backend.js';
import type { TakeResult } from './bucket.js';
import type { ParsedDescriptor } from './descriptors.js';
import { parseRequest } from './descriptors.js';

/** A refused call: the gRPC status and a message naming no request value. */
export interface RateLimitError {
  /** gRPC status code. */
  code: GrpcStatus;
  /** Why. */
  message: string;
}

/** What the service reads and writes. */
export interface RateLimitDeps {
  /** The current state. */
  state: () => DataplaneState;
  /** The counters. */
  backend: RateLimitBackend;
  /** Time of every take. */
  clock: Clock;
  /** Where refusals and backend failures are logged. */
  logger: Logger;
  /** Counters by rule and result. */
  metrics: DataplaneMetrics;
}

const UNITS: readonly [number, RateLimitResponse_RateLimit_Unit][] = [
  [86_400_000, RateLimitResponse_RateLimit_Unit.DAY],
  [3_600_000, RateLimitResponse_RateLimit_Unit.HOUR],
  [60_000, RateLimitResponse_RateLimit_Unit.MINUTE],
  [1000, RateLimitResponse_RateLimit_Unit.SECOND],
];

/** The limit as Envoy's `current_limit`: `requests` per `unit × multiplier` (sub-second intervals scaled to seconds). */
export function currentLimit(limit: GlobalLimit): RateLimitResponse_DescriptorStatus['currentLimit'] {
  const unit = UNITS.find(([ms]) => limit.intervalMs % ms === 0);
  if (unit !== undefined) {
    return {
      $type: 'envoy.service.ratelimit.v3.RateLimitResponse.RateLimit',
      name: limit.id,
      requestsPerUnit: limit.requests,
      unit: unit[1],
      unitMultiplier: limit.intervalMs / unit[0],
    };
  }
  return {
    $type: 'envoy.service.ratelimit.v3.RateLimitResponse.RateLimit',
    name: limit.id,
    requestsPerUnit: Math.max(1, Math.floor((limit.requests * 1000) / limit.intervalMs)),
    unit: RateLimitResponse_RateLimit_Unit.SECOND,
    unitMultiplier: 1,
  };
}

function status(limit: GlobalLimit, result: TakeResult): RateLimitResponse_DescriptorStatus {
  const resetMs = Math.max(0, result.resetMs);
  return {
    $type: 'envoy.service.ratelimit.v3.RateLimitResponse.DescriptorStatus',
    code: result.allowed ? RateLimitResponse_Code.OK : RateLimitResponse_Code.OVER_LIMIT,
    currentLimit: currentLimit(limit),
    limitRemaining: Math.max(0, result.remaining),
    durationUntilReset: {
      $type: 'google.protobuf.Duration',
      seconds: Math.floor(resetMs / 1000),
      nanos: (resetMs % 1000) * 1_000_000,
    },
    quota: undefined,
  };
}

/** The limits of the descriptors, or why the call is refused: unknown rules, or rules of another namespace. */
function resolve(
  descriptors: readonly ParsedDescriptor[],
  state: DataplaneState,
  caller: CallerIdentity,
): GlobalLimit[] | string {
  const limits: GlobalLimit[] = [];
  for (const d of descriptors) {
    const limit = state.limits.get(d.rule);
    if (limit === undefined || limit.policy !== d.policy) return 'a descriptor names an unknown limit';
    if (limit.namespace !== caller.namespace)
      return "a descriptor names a limit outside the caller's namespace";
    limits.push(limit);
  }
  return limits;
}

/** One descriptor's take; the limit's failure mode applies when the backend fails. */
async function takeOne(
  d: ParsedDescriptor,
  limit: GlobalLimit,
  deps: RateLimitDeps,
  nowMs: number,
): Promise<TakeResult | 'open' | 'closed'> {
  const bucket = d.key === undefined ? `${limit.id}\n` : `${limit.id}\n=${d.key}`;
  try {
    return await deps.backend.take({ bucket, spec: limit, hits: d.hits }, nowMs);
  } catch (error) {
    deps.metrics.rateLimitBackendError(deps.backend.name);
    deps.logger.warn(
      { rule: limit.id, backend: deps.backend.name, failureMode: limit.failureMode, err: error },
      'rate-limit counters unreachable; the limit fails ' + limit.failureMode.toLowerCase(),
    );
    return limit.failureMode === 'Open' ? 'open' : 'closed';
  }
}

function openStatus(limit: GlobalLimit): RateLimitResponse_DescriptorStatus {
  return status(limit, { allowed: true, remaining: limit.requests, resetMs: limit.intervalMs });
}

/** Answers one ShouldRateLimit call for an authenticated caller. */
export async function shouldRateLimit(
  request: RateLimitRequest,
  caller: CallerIdentity,
  deps: RateLimitDeps,
): Promise<RateLimitResponse | RateLimitError> {
  const parsed = parseRequest(request);
  const limits = typeof parsed === 'string' ? parsed : resolve(parsed, deps.state(), caller);
  if (typeof parsed === 'string' || typeof limits === 'string') {
    const message = typeof parsed === 'string' ? parsed : (limits as string);
    deps.metrics.rateLimitRefused();
    deps.logger.warn({ caller: caller.spiffeId, reason: message }, 'rate-limit request refused');
    return { code: GrpcStatus.INVALID_ARGUMENT, message };
  }
  const nowMs = deps.clock.now().getTime();
  const results = await Promise.all(parsed.map((d, i) => takeOne(d, limits[i] as GlobalLimit, deps, nowMs)));
  if (results.includes('closed')) {
    return { code: GrpcStatus.UNAVAILABLE, message: 'rate-limit counters unavailable' };
  }
  const statuses = results.map((r, i) =>
    r === 'open' || r === 'closed'
      ? openStatus(limits[i] as GlobalLimit)
      : status(limits[i] as GlobalLimit, r),
  );
  const over = statuses.findIndex((s) => s.code === RateLimitResponse_Code.OVER_LIMIT);
  statuses.forEach((s, i) =>
    deps.metrics.rateLimitDecision(limits[i] as GlobalLimit, s.code === RateLimitResponse_Code.OK),
  );
  const overLimit = limits[over];
  return RateLimitResponse.fromPartial({
    overallCode: overLimit === undefined ? RateLimitResponse_Code.OK : RateLimitResponse_Code.OVER_LIMIT,
    statuses,
    ...(overLimit === undefined ? {} : { dynamicMetadata: { policy: overLimit.policy, rule: overLimit.id } }),
  });
}
