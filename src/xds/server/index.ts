/** The xDS server: state-of-the-world and incremental (delta) ADS over grpc-js, fed by the snapshot cache. */
export { AdsService } from './ads.js';
export type { AdsServiceOptions } from './ads.js';
export { resourceVersion } from './delta-state.js';
export type { DeltaCall } from './delta.js';
export { fileModeAuthenticator } from './file-auth.js';
export { userAgentOf } from './node.js';
export { RejectionRegistry } from './rejections.js';
export { DEFAULT_SHUTDOWN_GRACE_MS, XdsServer } from './server.js';
export { PUSH_ORDER, inPushOrder } from './response.js';
export { WILDCARD } from './subscription.js';
export type { Subscription } from './subscription.js';
export { silentLogger, systemClock } from './types.js';
export type {
  AdsCall,
  Authenticator,
  Clock,
  IgnoredReason,
  LogFields,
  Logger,
  ProxyIdentity,
  Rejection,
  SentResponse,
  StreamInfo,
  StreamStatus,
  TypeStatus,
  XdsServerEvents,
} from './types.js';
