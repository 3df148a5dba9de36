/**
 * What the xDS server needs from outside (logger, clock, authentication) and what it tells the outside (events,
 * rejections). Kept apart from the protocol code so metrics, status reporting and the real authenticators plug in
 * without touching it.
 */
import type { ServerDuplexStream } from '@grpc/grpc-js';
import type { DiscoveryRequest, DiscoveryResponse } from '../../gen/envoy/service/discovery/v3/discovery.js';
import type { SnapshotCache } from '../cache/cache.js';
import type { GuardedEvents } from './events.js';
import type { RejectionRegistry } from './rejections.js';
import type { Subscription } from './subscription.js';

/** Structured fields attached to a log line. */
export type LogFields = Record<string, unknown>;

/**
 * The logger the server writes to: the subset of pino's API it uses (fields first, then the message), so a pino
 * logger can be passed in as is.
 */
export interface Logger {
  /** Protocol detail: every request and response. */
  debug(fields: LogFields, message: string): void;
  /** Lifecycle: streams opened and closed. */
  info(fields: LogFields, message: string): void;
  /** Something a human should look at: a NACK, a refused proxy. */
  warn(fields: LogFields, message: string): void;
  /** A server bug or an I/O failure. */
  error(fields: LogFields, message: string): void;
  /** A logger that adds `bindings` to every line. */
  child(bindings: LogFields): Logger;
}

/** A logger that drops everything (tests, or when the caller does not care). */
export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silentLogger,
};

/** Where the server reads the time (rejection timestamps); injected so tests control it. */
export interface Clock {
  /** The current time. */
  now(): Date;
}

/** The system clock. */
export const systemClock: Clock = { now: () => new Date() };

/** A state-of-the-world ADS call as grpc-js hands it to the server. */
export type AdsCall = ServerDuplexStream<DiscoveryRequest, DiscoveryResponse>;

/** Who is on the other end of a stream, as established by an {@link Authenticator}. */
export interface ProxyIdentity {
  /** The snapshot cache key whose resources this proxy may receive (e.g. `<namespace>/<workload>`). */
  readonly proxyKey: string;
}

/**
 * Decides who a stream belongs to, from the call (peer, metadata, TLS auth context) and the first request (which alone
 * carries the Node). Returns an Error to refuse the stream (it then ends with UNAUTHENTICATED). A rejected promise is
 * treated as a refusal too. Implementations: `fileModeAuthenticator` (development only); TokenReview and client
 * certificates are separate modules.
 */
export type Authenticator = (call: AdsCall, firstRequest: DiscoveryRequest) => Promise<ProxyIdentity | Error>;

/** One stream, as reported to events and by `AdsService.streams()`. */
export interface StreamInfo {
  /** Unique per server process. */
  readonly streamId: number;
  /** The authenticated proxy key. */
  readonly proxyKey: string;
  /** `node.id` from the first request (a hint: identity comes from the authenticator). */
  readonly nodeId: string;
  /** The gRPC peer address. */
  readonly peer: string;
  /** `<user_agent_name>/<version>` from the Node, e.g. `envoy/1.36.2` (a hint, for metrics and version warnings). */
  readonly userAgent: string;
}

/** The protocol state of one type on a stream, for observation (tests, debug endpoints, status). */
export interface TypeStatus {
  /** The resource type. */
  readonly typeUrl: string;
  /** What the proxy subscribed to. */
  readonly subscription: Subscription;
  /** Version of the last response written (in flight until ACKed or NACKed). */
  readonly sentVersion: string | undefined;
  /** Nonce of the last response written. */
  readonly nonce: string | undefined;
  /** The proxy's last good version. */
  readonly ackedVersion: string | undefined;
  /** A version the proxy NACKed and that is not resent. */
  readonly rejectedVersion: string | undefined;
}

/** A stream's identity and per-type state. */
export interface StreamStatus {
  /** Who is connected. */
  readonly stream: StreamInfo;
  /** Sorted by type URL. */
  readonly types: readonly TypeStatus[];
}

/** A response the proxy rejected (a request with `error_detail` set, answering the latest response of its type). */
export interface Rejection {
  /** The authenticated proxy key. */
  readonly proxyKey: string;
  /** The resource type. */
  readonly typeUrl: string;
  /** The version that was rejected (the proxy keeps its last good one). */
  readonly version: string;
  /** `error_detail.message`, as the proxy sent it. */
  readonly message: string;
  /** `error_detail.code` (a google.rpc.Code). */
  readonly code: number;
  /** When the NACK arrived, from the injected clock. */
  readonly at: Date;
}

/** Why a request was ignored. */
export type IgnoredReason = 'stale-nonce';

/** A response that was written to a stream. */
export interface SentResponse {
  /** The resource type. */
  readonly typeUrl: string;
  /** The version sent. */
  readonly version: string;
  /** The nonce sent. */
  readonly nonce: string;
  /** How many resources it carried. */
  readonly resourceCount: number;
  /** Encoded size of the resources (metrics: resource bytes). */
  readonly bytes: number;
  /** True when this proxy key has rejected this very version before (on this or an earlier stream). */
  readonly knownRejected: boolean;
}

/**
 * Hooks for metrics and status reporting; every one optional and called synchronously, so they must be cheap and must
 * not throw (a throwing hook is logged and otherwise ignored).
 */
export interface XdsServerEvents {
  /** A stream was authenticated and is now served. */
  onConnected?(stream: StreamInfo): void;
  /** An authenticated stream ended (either side). */
  onDisconnected?(stream: StreamInfo): void;
  /** A stream was refused by the authenticator. */
  onRefused?(peer: string, reason: string): void;
  /** The proxy ACKed a version of a type. */
  onAcked?(stream: StreamInfo, typeUrl: string, version: string): void;
  /** The proxy NACKed a version of a type; the server keeps its last good version and does not resend this one. */
  onRejected?(rejection: Rejection, stream: StreamInfo): void;
  /** A response was written. */
  onSent?(stream: StreamInfo, response: SentResponse): void;
  /** A request was ignored (e.g. a stale nonce). */
  onIgnored?(stream: StreamInfo, typeUrl: string, reason: IgnoredReason): void;
}

/** What every stream of one server shares. */
export interface StreamContext {
  /** Where each proxy's resources come from. */
  readonly cache: SnapshotCache;
  /** Settles who a stream belongs to. */
  readonly authenticate: Authenticator;
  /** The server's logger; each stream adds its own fields. */
  readonly logger: Logger;
  /** Time of rejections. */
  readonly clock: Clock;
  /** Metrics and status hooks. */
  readonly events: GuardedEvents;
  /** Standing rejections, shared by every stream. */
  readonly rejections: RejectionRegistry;
  /** A nonce never used before by this server. */
  nextNonce(): string;
  /** Called once when the stream has ended, whichever side ended it. */
  streamClosed(streamId: number): void;
}
