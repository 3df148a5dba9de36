/**
 * One state-of-the-world ADS stream (`StreamAggregatedResources`): authenticates the proxy from its first request,
 * then keeps per type the subscription, the last response written (version + nonce), the ACKed version and a NACKed
 * one, and answers requests and snapshot changes. The protocol rules live in `subscription.ts`; this file is the
 * plumbing between them, grpc-js and the snapshot cache.
 */
import { status } from '@grpc/grpc-js';
import { recordAnswer } from './answer.js';
import type { DiscoveryRequest } from '../../gen/envoy/service/discovery/v3/discovery.js';
import type { Unsubscribe } from '../cache/cache.js';
import { typeSnapshotOf } from '../cache/snapshot.js';
import { userAgentOf } from './node.js';
import { buildResponse, inPushOrder, typeStatus } from './response.js';
import {
  applyRequest,
  classifyRequest,
  forgetStaleRejection,
  needsResponse,
  subscriptionKey,
} from './subscription.js';
import type { RequestKind, TypeState } from './subscription.js';
import type { AdsCall, Logger, ProxyIdentity, StreamContext, StreamInfo, StreamStatus } from './types.js';

/** How many requests an unauthenticated stream may queue before it is refused. */
const MAX_PENDING_REQUESTS = 64;
/** How many distinct type URLs one stream may subscribe to (Envoy uses a handful). */
const MAX_TYPES = 32;

type Phase = 'authenticating' | 'serving' | 'closed';

/** One SotW ADS stream. Create it, then {@link start}; the server ends it with {@link end}. */
export class SotwStream {
  /** Unique per server process. */
  readonly streamId: number;
  private readonly call: AdsCall;
  private readonly context: StreamContext;
  private phase: Phase = 'authenticating';
  private finished = false;
  private pending: DiscoveryRequest[] = [];
  private info: StreamInfo | undefined;
  private log: Logger;
  private readonly types = new Map<string, TypeState>();
  private unwatch: Unsubscribe | undefined;
  /** grpc-js is buffering writes: wait for 'drain'. */
  private blocked = false;

  /** Wraps a call; nothing happens before {@link start}. */
  constructor(call: AdsCall, context: StreamContext, streamId: number) {
    this.call = call;
    this.context = context;
    this.streamId = streamId;
    this.log = context.logger.child({ streamId, peer: call.getPeer() });
  }

  /** Starts reading requests. */
  start(): void {
    this.call.on('data', (request: DiscoveryRequest) => this.guarded(() => this.receive(request)));
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

  /**
   * Ends the stream with status OK (server shutdown, or answering the client's half-close); the proxy keeps its config
   * and reconnects, possibly to another replica. No-op once the stream has ended.
   */
  end(reason = 'server shutting down'): void {
    if (this.finished) {
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
    const types = [...this.types.keys()]
      .sort()
      .map((url) => typeStatus(url, this.types.get(url) as TypeState));
    return { stream: this.info, types };
  }

  private receive(request: DiscoveryRequest): void {
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

  /** The Node is only sent on the first request of a stream, so identity is settled from that one. */
  private async authenticate(first: DiscoveryRequest): Promise<void> {
    let result: ProxyIdentity | Error;
    try {
      result = await this.context.authenticate(this.call, first);
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
    this.serve(result, first);
  }

  private serve(identity: ProxyIdentity, first: DiscoveryRequest): void {
    const nodeId = first.node?.id ?? '';
    const userAgent = userAgentOf(first.node);
    const peer = this.call.getPeer();
    this.info = { streamId: this.streamId, proxyKey: identity.proxyKey, nodeId, peer, userAgent };
    this.log = this.log.child({ proxyKey: identity.proxyKey, nodeId, userAgent });
    this.phase = 'serving';
    this.log.info({}, 'xDS stream connected');
    this.context.events.onConnected(this.info);
    this.unwatch = this.context.cache.watch(identity.proxyKey, () => this.guarded(() => this.pushAll()));
    const pending = this.pending;
    this.pending = [];
    for (const request of pending) {
      this.handle(request);
    }
  }

  private handle(request: DiscoveryRequest): void {
    if (this.phase !== 'serving' || this.info === undefined) {
      return;
    }
    const typeUrl = request.typeUrl;
    if (typeUrl === '') {
      this.refuse(status.INVALID_ARGUMENT, 'type_url is required on an aggregated (ADS) stream');
      return;
    }
    const previous = this.types.get(typeUrl);
    if (previous === undefined && this.types.size >= MAX_TYPES) {
      this.refuse(status.RESOURCE_EXHAUSTED, `more than ${MAX_TYPES} resource types on one stream`);
      return;
    }
    const kind = classifyRequest(previous, request);
    this.log.debug(
      { typeUrl, kind: kind.kind, version: request.versionInfo, nonce: request.responseNonce },
      'xDS request',
    );
    if (kind.kind === 'stale') {
      this.context.events.onIgnored(this.info, typeUrl, 'stale-nonce');
      return;
    }
    const state = applyRequest(previous, request, kind);
    this.types.set(typeUrl, state);
    this.record(this.info, typeUrl, kind);
    this.respond(this.info, typeUrl, state);
  }

  private record(info: StreamInfo, typeUrl: string, kind: RequestKind): void {
    recordAnswer({ context: this.context, log: this.log, info }, typeUrl, kind);
  }

  /** After a snapshot change (or a drained write buffer): every subscribed type, in the spec's push order. */
  private pushAll(): void {
    if (this.phase !== 'serving' || this.info === undefined) {
      return;
    }
    for (const typeUrl of inPushOrder(this.types.keys())) {
      this.respond(this.info, typeUrl, this.types.get(typeUrl) as TypeState);
    }
  }

  /**
   * Writes the type's current resources if the proxy has neither them nor them in flight; else nothing. While grpc-js
   * buffers earlier writes (a slow proxy) nothing is written: the 'drain' handler pushes the then-current versions,
   * so a slow proxy skips intermediate versions instead of queueing them.
   */
  private respond(info: StreamInfo, typeUrl: string, state: TypeState): void {
    const snapshot = this.context.cache.getSnapshot(info.proxyKey);
    if (snapshot === undefined || this.blocked) {
      return; // nothing is served before the first snapshot; the watch answers when it arrives
    }
    const type = typeSnapshotOf(snapshot, typeUrl);
    forgetStaleRejection(state, type);
    if (!needsResponse(state, type)) {
      return;
    }
    const nonce = this.context.nextNonce();
    const { response, bytes } = buildResponse(type, state.subscription, nonce);
    const { version } = type;
    state.sent = { version, nonce, subscriptionKey: subscriptionKey(state.subscription) };
    const knownRejected = this.context.rejections.isRejected(info.proxyKey, typeUrl, version);
    if (knownRejected) {
      this.log.warn({ typeUrl, version }, 'sending a version this proxy rejected before');
    }
    const resourceCount = response.resources.length;
    this.log.debug({ typeUrl, version, nonce, resources: resourceCount, bytes }, 'xDS response');
    this.blocked = !this.call.write(response);
    this.context.events.onSent(info, { typeUrl, version, nonce, resourceCount, bytes, knownRejected });
  }

  private refuse(code: status, details: string): void {
    if (this.finished) {
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
    if (this.finished) {
      return;
    }
    this.finished = true;
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
