/**
 * The `envoy.service.discovery.v3.AggregatedDiscoveryService` implementation: owns the live streams of one server,
 * the nonce sequence and the standing rejections. State of the world (`StreamAggregatedResources`, see `sotw.ts`) and
 * incremental (`DeltaAggregatedResources`, see `delta.ts`) streams share the cache, authenticator, events and registry.
 */
import { status } from '@grpc/grpc-js';
import type { AggregatedDiscoveryServiceServer } from '../../gen/envoy/service/discovery/v3/ads.js';
import type { SnapshotCache } from '../cache/cache.js';
import { DeltaStream } from './delta.js';
import type { DeltaCall } from './delta.js';
import { guardEvents } from './events.js';
import { RejectionRegistry } from './rejections.js';
import { SotwStream } from './sotw.js';
import { systemClock } from './types.js';
import type {
  AdsCall,
  Authenticator,
  Clock,
  Logger,
  Rejection,
  StreamContext,
  StreamStatus,
  XdsServerEvents,
} from './types.js';

/** What an {@link AdsService} is built from. */
export interface AdsServiceOptions {
  /** Where each proxy's resources come from. */
  readonly cache: SnapshotCache;
  /** Who a stream belongs to (see `Authenticator`). */
  readonly authenticate: Authenticator;
  /** Where protocol events are logged. */
  readonly logger: Logger;
  /** Time source for rejection timestamps; the system clock by default. */
  readonly clock?: Clock;
  /** Hooks for metrics and status. */
  readonly events?: XdsServerEvents;
}

/** The ADS service: register {@link handlers} on a grpc-js server (see `XdsServer`). */
export class AdsService {
  /** Standing NACKs, per proxy and type (cleared by a later ACK). */
  readonly rejections = new RejectionRegistry();
  private readonly live = new Map<number, SotwStream | DeltaStream>();
  private readonly context: StreamContext;
  private readonly logger: Logger;
  private accepting = true;
  private lastStreamId = 0;
  private lastNonce = 0;

  /** Creates the service; it accepts streams until {@link closeStreams}. */
  constructor(options: AdsServiceOptions) {
    this.logger = options.logger;
    this.context = {
      cache: options.cache,
      authenticate: options.authenticate,
      logger: options.logger,
      clock: options.clock ?? systemClock,
      events: guardEvents(options.events, options.logger),
      rejections: this.rejections,
      nextNonce: (): string => {
        this.lastNonce += 1;
        return String(this.lastNonce);
      },
      streamClosed: (streamId: number): void => {
        this.live.delete(streamId);
      },
    };
  }

  /** The grpc-js handlers for `AggregatedDiscoveryServiceService`. */
  handlers(): AggregatedDiscoveryServiceServer {
    return {
      streamAggregatedResources: (call: AdsCall): void =>
        this.open(call, (id) => new SotwStream(call, this.context, id)),
      deltaAggregatedResources: (call: DeltaCall): void =>
        this.open(call, (id) => new DeltaStream(call, this.context, id)),
    };
  }

  /** The live, authenticated streams with their per-type state, by stream id. */
  streams(): StreamStatus[] {
    return [...this.live.values()].flatMap((stream) => stream.status() ?? []);
  }

  /** How many streams are open (authenticated or still authenticating). */
  streamCount(): number {
    return this.live.size;
  }

  /** Every standing rejection (see `RejectionRegistry.list`). */
  standingRejections(): Rejection[] {
    return this.rejections.list();
  }

  /** Refuses new streams (UNAVAILABLE) and ends every open one; proxies reconnect to another replica. */
  closeStreams(): void {
    this.accepting = false;
    for (const stream of [...this.live.values()]) {
      stream.end();
    }
  }

  private open(call: AdsCall | DeltaCall, create: (streamId: number) => SotwStream | DeltaStream): void {
    if (!this.accepting) {
      call.emit('error', { code: status.UNAVAILABLE, details: 'xDS server is shutting down' });
      return;
    }
    this.lastStreamId += 1;
    const stream = create(this.lastStreamId);
    this.live.set(stream.streamId, stream);
    this.logger.debug({ streamId: stream.streamId, peer: call.getPeer() }, 'xDS stream opened');
    stream.start();
  }
}
