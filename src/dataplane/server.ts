/**
 * The dataplane's gRPC server: the API-key check, the global rate-limit service and the access-log service on one
 * port, over mTLS. Every call is authenticated first (identity.ts): a caller without a workload certificate of
 * aspen's trust domain is refused with UNAUTHENTICATED before any service code runs.
 */
import { Server, status as GrpcStatus } from '@grpc/grpc-js';
import type { Metadata, ServerCredentials, ServerUnaryCall, sendUnaryData } from '@grpc/grpc-js';
import { AuthorizationService } from '../gen/envoy/service/auth/v3/external_auth.js';
import type {
  AuthorizationServer,
  CheckRequest,
  CheckResponse,
} from '../gen/envoy/service/auth/v3/external_auth.js';
import { AccessLogServiceService } from '../gen/envoy/service/accesslog/v3/als.js';
import type { AccessLogServiceServer } from '../gen/envoy/service/accesslog/v3/als.js';
import { RateLimitServiceService } from '../gen/envoy/service/ratelimit/v3/rls.js';
import type {
  RateLimitRequest,
  RateLimitResponse,
  RateLimitServiceServer,
} from '../gen/envoy/service/ratelimit/v3/rls.js';
import type { Logger } from '../xds/server/types.js';
import { handleAccessLogStream } from './accesslog/service.js';
import type { AccessLogDeps } from './accesslog/service.js';
import { checkContext } from './apikeys/decide.js';
import { checkApiKey } from './apikeys/service.js';
import type { ApiKeyDeps } from './apikeys/service.js';
import { callerOf } from './identity.js';
import type { CallWithAuthContext, CallerIdentity } from './identity.js';
import type { DataplaneMetrics } from './metrics.js';
import { shouldRateLimit } from './ratelimit/service.js';
import type { RateLimitDeps } from './ratelimit/service.js';

/** Everything the services need. */
export interface DataplaneServerDeps {
  /** SPIFFE trust domain callers must belong to. */
  trustDomain: string;
  /** API-key check. */
  apiKeys: ApiKeyDeps;
  /** Rate-limit service. */
  rateLimit: RateLimitDeps;
  /** Access-log service. */
  accessLog: AccessLogDeps;
  /** Counters (refused callers). */
  metrics: DataplaneMetrics;
  /** Operational log. */
  logger: Logger;
}

/** Largest message accepted: a check or a rate-limit request is small; access-log batches stay under this. */
export const MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

type Refusal = { code: GrpcStatus; details: string };

function authenticate(call: CallWithAuthContext, deps: DataplaneServerDeps): CallerIdentity | Refusal {
  const caller = callerOf(call, deps.trustDomain);
  if (typeof caller !== 'string') return caller;
  deps.metrics.refusedCaller(caller === 'no client certificate' ? 'no_certificate' : 'bad_identity');
  deps.logger.warn({ reason: caller }, 'dataplane call refused');
  return { code: GrpcStatus.UNAUTHENTICATED, details: `caller refused: ${caller}` };
}

function isRefusal(value: CallerIdentity | Refusal): value is Refusal {
  return 'code' in value;
}

function metadataGetter(metadata: Metadata): (key: string) => string | undefined {
  return (key) => {
    const value = metadata.get(key)[0];
    return typeof value === 'string' ? value : undefined;
  };
}

function check(
  call: ServerUnaryCall<CheckRequest, CheckResponse>,
  callback: sendUnaryData<CheckResponse>,
  deps: DataplaneServerDeps,
): void {
  const caller = authenticate(call, deps);
  if (isRefusal(caller)) return callback(caller);
  const context = checkContext(metadataGetter(call.metadata));
  if (typeof context === 'string') return callback({ code: GrpcStatus.INVALID_ARGUMENT, details: context });
  callback(null, checkApiKey(call.request, context, caller, deps.apiKeys));
}

function rateLimit(
  call: ServerUnaryCall<RateLimitRequest, RateLimitResponse>,
  callback: sendUnaryData<RateLimitResponse>,
  deps: DataplaneServerDeps,
): void {
  const caller = authenticate(call, deps);
  if (isRefusal(caller)) return callback(caller);
  shouldRateLimit(call.request, caller, deps.rateLimit).then(
    (answer) =>
      'code' in answer ? callback({ code: answer.code, details: answer.message }) : callback(null, answer),
    (error: unknown) => {
      deps.logger.error({ err: error }, 'rate-limit call failed');
      callback({ code: GrpcStatus.INTERNAL, details: 'rate-limit service error' });
    },
  );
}

/** A gRPC server with the three services registered (not yet bound). */
export function createDataplaneServer(deps: DataplaneServerDeps): Server {
  const server = new Server({
    'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
    'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
  });
  const auth: AuthorizationServer = { check: (call, callback) => check(call, callback, deps) };
  const rls: RateLimitServiceServer = {
    shouldRateLimit: (call, callback) => rateLimit(call, callback, deps),
  };
  const als: AccessLogServiceServer = {
    streamAccessLogs: (call, callback) => {
      const caller = authenticate(call, deps);
      if (isRefusal(caller)) return callback(caller);
      handleAccessLogStream(call, callback, caller, deps.accessLog);
    },
  };
  server.addService(AuthorizationService, auth);
  server.addService(RateLimitServiceService, rls);
  server.addService(AccessLogServiceService, als);
  return server;
}

/** A bound server. */
export interface BoundServer {
  /** The bound port. */
  readonly port: number;
  /** Stops: new calls refused, open ones given `graceMs` to finish, then cut. */
  close(graceMs: number): Promise<void>;
}

/** Binds `server` to `address` (`host:port`) with `credentials` and starts it. */
export function bindDataplane(
  server: Server,
  address: string,
  credentials: ServerCredentials,
): Promise<BoundServer> {
  return new Promise((resolve, reject) => {
    server.bindAsync(address, credentials, (error, port) => {
      if (error !== null) return reject(error);
      resolve({
        port,
        close: (graceMs) =>
          new Promise<void>((done) => {
            const timer = setTimeout(() => {
              server.forceShutdown();
              done();
            }, graceMs);
            server.tryShutdown(() => {
              clearTimeout(timer);
              done();
            });
          }),
      });
    });
  });
}
