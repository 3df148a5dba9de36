// Helpers of the rate-limit tests: a world with Global limits, descriptors and requests, and a client call.
import type { ServiceError } from '@grpc/grpc-js';
import { RATE_LIMIT_DOMAIN } from '../../src/api/contracts.js';
import { RateLimitRequest, RateLimitResponse_Code } from '../../src/gen/envoy/service/ratelimit/v3/rls.js';
import type {
  RateLimitResponse,
  RateLimitServiceClient,
} from '../../src/gen/envoy/service/ratelimit/v3/rls.js';
import { snapshot } from '../fixtures/snapshot.js';

/** A world with Global limits in namespace shop: 10/s + 5 burst per tenant header, and 3/min shared. */
export function limitsWorld(failureMode: 'Open' | 'Closed' = 'Closed'): ReturnType<typeof snapshot> {
  return snapshot().policy('shop', 'p', {
    selector: {},
    rateLimits: [
      {
        name: 'per-tenant',
        key: { header: 'x-tenant' },
        requests: 10,
        per: '1s',
        burst: 5,
        scope: 'Global',
        failureMode,
      },
      { name: 'shared', requests: 3, per: '1m', scope: 'Global', failureMode: 'Open' },
      { name: 'local', requests: 1, per: '1s' },
    ],
  });
}

/** A descriptor `[policy, rule, key?]`. */
export function descriptor(
  rule: string,
  key?: string,
  policy = 'shop/p',
): RateLimitRequest['descriptors'][number] {
  return RateLimitRequest.fromPartial({
    descriptors: [
      {
        entries: [
          { key: 'policy', value: policy },
          { key: 'rule', value: rule },
          ...(key === undefined ? [] : [{ key: 'key', value: key }]),
        ],
      },
    ],
  }).descriptors[0] as RateLimitRequest['descriptors'][number];
}

/** A request of these descriptors. */
export function rlRequest(...descriptors: RateLimitRequest['descriptors']): RateLimitRequest {
  return RateLimitRequest.fromPartial({ domain: RATE_LIMIT_DOMAIN, descriptors });
}

/** Calls ShouldRateLimit; resolves with the response or the error. */
export function shouldRateLimit(
  client: RateLimitServiceClient,
  request: RateLimitRequest,
): Promise<RateLimitResponse | ServiceError> {
  return new Promise((resolve) => {
    client.shouldRateLimit(request, (error, response) => resolve(error ?? response));
  });
}

/** Whether an answer admits the request. */
export function admitted(answer: RateLimitResponse | ServiceError): boolean {
  if ('code' in answer && !('overallCode' in answer)) throw new Error(`call failed: ${answer.message}`);
  return (answer as RateLimitResponse).overallCode === RateLimitResponse_Code.OK;
}
