/**
 * One incremental ADS stream (`DeltaAggregatedResources`): authenticates the proxy from its first request with the
 * same `Authenticator` as state of the world, then keeps per type the subscription and what the proxy has, and
 * sends only added or changed resources (per-resource versions) and removals. ACK/NACK, rejection tracking and events
 * are those of state of the world. The protocol rules live in `delta-state.ts`; this file is the plumbing.
 */
import { status } from '@grpc/grpc-js';
import { recordAnswer } from './answer.js';
import type { DeltaDiscoveryRequest } from '../../gen/envoy/service/discovery/v3/discovery.js';
import type { Unsubscribe } from '../cache/cache.js';
import { typeSnapshotOf } from '../cache/snapshot.js';
import {
  applyAnswer,
  applySubscription,
  classifyDeltaRequest,
  computeDelta,
  deltaSubscription,
  markSent,
  newDeltaState,
} from './delta-state.js';
import type { DeltaRequestKind, DeltaTypeState } from './delta-state.js';
import { authenticationView, deltaResponse } from './delta-wire.js';
import type { DeltaCall } from './delta-wire.js';
import { userAgentOf } from './node.js';
import { inPushOrder } from './response.js';
import type { Logger, ProxyIdentity, StreamContext, StreamInfo, StreamStatus } from './types.js';

export type { DeltaCall } from './delta-wire.js';

/** How many requests an unauthenticated stream may queue before it is refused. */
const MAX_PENDING_REQUESTS = 64;
/** How many distinct type URLs one stream may subscribe to. */
const MAX_TYPES = 32;

/** One delta ADS stream. Create it, then {@link start}; the server ends it with {@link end}. */
export class DeltaStream {
  /** Unique per server process. */
  readonly streamId: number;
  private readonly call: DeltaCall;
  private readonly context: StreamContext;
  private phase: 'authenticating' | 'serving' | 'closed' = 'authenticating';
  private pending: DeltaDiscoveryRequest[] = [];
  private info: StreamInfo | undefined;
  private log: Logger;
  private readonly types = new Map<string, DeltaTypeState>();
  private unwatch: Unsubscribe | undefined;
  /** grpc-js is buffering writes: wait for 'drain'. */
  private blocked = false;

  /** Wraps a call; nothing happens before {@link start}. */
  constructor(call: DeltaCall, context: StreamContext, streamId: number) {
    this.call = call;
    this.context = context;
    this.streamId = streamId;
    this.log = context.logger.child({ streamId, peer: call.getPeer(), delta: true });
  }

  /** Starts reading requests. */
  start(): void {
    this.call.on('data', (request: DeltaDiscoveryRequest) => this.guarded(() => this.receive(request)));
    this.call.on('end', () => this.end('client closed the stream'));
    this.call.on('error', (error: unknown) => {
      this.log.debug({ err: error }, 'xDS stream error');
      this.finish('stream error');
    });
    this.call.on('cancelled', () => this.finish('cancelled'));
    this.call.on('close', () => this.finish('closed'));
    this.call.on('drain', () => {
      this.blocked = false;
      this.guarded(() => this.pushAll());
    });
  }

  /** Ends the stream with status OK (server shutdown, or the client's half-close). No-op once ended. */
  end(reason = 'server shutting down'): void {
    if (this.phase === 'closed') {
      return;
    }
    this.finish(reason);
    this.call.end();
  }

  /** The stream's identity (once authenticated) and per-type state. */
  status(): StreamStatus | undefined {
    if (this.info === undefined) {
      return undefined;
    }
    const types = [...this.types.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([typeUrl, state]) => ({
        typeUrl,
        subscription: deltaSubscription(state),
        sentVersion: state.sent?.version,
        nonce: state.sent?.nonce,
        ackedVersion: state.ackedVersion,
        rejectedVersion: state.rejectedVersion,
      }));
    return { stream: this.info, types };
  }

  private receive(request: DeltaDiscoveryRequest): void {
    if (this.phase === 'serving') {
      this.handle(request);
    } else if (this.phase === 'authenticating') {
      this.pending.push(request);
      if (this.pending.length === 1) {
        this.authenticate(request).catch((error: unknown) => this.fail(error));
      } else if (this.pending.length > MAX_PENDING_REQUESTS) {
        this.refuse(status.RESOURCE_EXHAUSTED, 'too many requests before authentication completed');
      }
    }
  }

  private async authenticate(first: DeltaDiscoveryRequest): Promise<void> {
    let result: ProxyIdentity | Error;
    try {
      result = await this.context.authenticate(...authenticationView(this.call, first));
    } catch (error) {
      result = error instanceof Error ? error : new Error(String(error));
    }
    if (this.phase !== 'authenticating') {
      return;
    }
    if (result instanceof Error) {
      this.log.warn(
        { nodeId: first.node?.id, reason: result.message },
        'xDS stream refused: not authenticated',
      );
      this.context.events.onRefused(this.call.getPeer(), result.message);
      this.refuse(status.UNAUTHENTICATED, `proxy not authenticated: ${result.message}`);
      return;
    }
    const nodeId = first.node?.id ?? '';
    const userAgent = userAgentOf(first.node);
    const peer = this.call.getPeer();
    this.info = { streamId: this.streamId, proxyKey: result.proxyKey, nodeId, peer, userAgent };
    this.log = this.log.child({ proxyKey: result.proxyKey, nodeId, userAgent });
    this.phase = 'serving';
    this.log.info({}, 'xDS stream connected');
    this.context.events.onConnected(this.info);
    this.unwatch = this.context.cache.watch(result.proxyKey, () => this.guarded(() => this.pushAll()));
    const pending = this.pending;
    this.pending = [];
    pending.forEach((request) => this.handle(request));
  }

  private handle(request: DeltaDiscoveryRequest): void {
    const info = this.info;
    const typeUrl = request.typeUrl;
    if (this.phase !== 'serving' || info === undefined) {
      return;
    }
    if (typeUrl === '') {
      this.refuse(status.INVALID_ARGUMENT, 'type_url is required on an aggregated (ADS) stream');
      return;
    }
    let state = this.types.get(typeUrl);
    if (state === undefined && this.types.size >= MAX_TYPES) {
      this.refuse(status.RESOURCE_EXHAUSTED, `more than ${MAX_TYPES} resource types on one stream`);
      return;
    }
    state ??= newDeltaState(request);
    this.types.set(typeUrl, state);
    const kind = classifyDeltaRequest(state, request);
    this.log.debug({ typeUrl, kind: kind.kind, nonce: request.responseNonce }, 'xDS delta request');
    if (kind.kind === 'stale') {
      this.context.events.onIgnored(info, typeUrl, 'stale-nonce');
    }
    applyAnswer(state, request.responseNonce, kind);
    applySubscription(state, request);
    this.record(info, typeUrl, kind);
    this.respond(info, typeUrl, state);
  }

  private record(info: StreamInfo, typeUrl: string, kind: DeltaRequestKind): void {
    recordAnswer({ context: this.context, log: this.log, info }, typeUrl, kind);
  }

  /** After a snapshot change (or a drained write buffer): every subscribed type, in the spec's push order. */
  private pushAll(): void {
    if (this.phase !== 'serving' || this.info === undefined) {
      return;
    }
    for (const typeUrl of inPushOrder(this.types.keys())) {
      this.respond(this.info, typeUrl, this.types.get(typeUrl) as DeltaTypeState);
    }
  }

  /**
   * Writes what the proxy lacks of the type, if anything (the first response to a wildcard subscription is written
   * even when empty, so the proxy can finish initialising). While grpc-js buffers earlier writes nothing is written:
   * the 'drain' handler pushes the then-current differences.
   */
  private respond(info: StreamInfo, typeUrl: string, state: DeltaTypeState): void {
    const snapshot = this.context.cache.getSnapshot(info.proxyKey);
    if (snapshot === undefined || this.blocked) {
      return; // nothing is served before the first snapshot; the watch answers when it arrives
    }
    const type = typeSnapshotOf(snapshot, typeUrl);
    const change = computeDelta(state, type);
    const empty = change.resources.length === 0 && change.removed.length === 0;
    if (empty && (state.sent !== undefined || !state.wildcard)) {
      return;
    }
    const nonce = this.context.nextNonce();
    const { version } = type;
    const response = deltaResponse(typeUrl, version, nonce, change);
    markSent(state, change, version, nonce);
    const knownRejected = this.context.rejections.isRejected(info.proxyKey, typeUrl, version);
    if (knownRejected) {
      this.log.warn({ typeUrl, version }, 'sending a version this proxy rejected before');
    }
    const resourceCount = response.resources.length;
    const bytes = change.resources.reduce((sum, r) => sum + r.resource.encoded.value.length, 0);
    this.log.debug(
      { typeUrl, version, nonce, resources: resourceCount, removed: change.removed.length },
      'xDS delta response',
    );
    this.blocked = !this.call.write(response);
    this.context.events.onSent(info, { typeUrl, version, nonce, resourceCount, bytes, knownRejected });
  }

  private refuse(code: status, details: string): void {
    if (this.phase === 'closed') {
      return;
    }
    this.finish('refused');
    this.call.emit('error', { code, details });
  }

  /** Runs an event handler; a throw (a server bug) ends this stream with INTERNAL rather than the process. */
  private guarded(action: () => void): void {
    try {
      action();
    } catch (error) {
      this.fail(error);
    }
  }

  private fail(error: unknown): void {
    this.log.error({ err: error }, 'xDS stream failed');
    this.refuse(status.INTERNAL, 'internal error');
  }

  private finish(reason: string): void {
    if (this.phase === 'closed') {
      return;
    }
    this.phase = 'closed';
    this.pending = [];
    this.unwatch?.();
    this.unwatch = undefined;
    if (this.info !== undefined) {
      this.log.info({ reason }, 'xDS stream closed');
      this.context.events.onDisconnected(this.info);
    }
    this.context.streamClosed(this.streamId);
  }
}
