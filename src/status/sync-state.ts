/**
 * Per-replica proxy sync state: for every proxy connected to this replica's xDS server, per type, the version last
 * sent, the version last ACKed and the standing NACK. Fed by the xDS server's events ({@link SyncTracker.events});
 * read by the replica summary (replica-summary.ts), which the sync report publishes for the leader.
 */
import type { Rejection, SentResponse, StreamInfo, XdsServerEvents } from '../xds/server/types.js';

/** A NACK as kept in the sync state. */
export interface StandingRejection {
  /** The version the proxy rejected. */
  readonly version: string;
  /** `error_detail.message`, as the proxy sent it. */
  readonly message: string;
}

/** One type's state on one stream. */
export interface TypeSyncState {
  /** Version of the last response written. */
  sent?: string;
  /** The proxy's last good version. */
  acked?: string;
  /** The last NACK of this type, until the proxy ACKs a version of it. */
  rejected?: StandingRejection;
}

/** One connected proxy (one ADS stream). */
export interface ProxySyncState {
  /** The stream: proxy key, node id (the proxy's name), user agent. */
  readonly stream: StreamInfo;
  /** Type URL → state. */
  readonly types: ReadonlyMap<string, TypeSyncState>;
}

/**
 * Tracks what each connected proxy has ACKed; see the module comment. Plug {@link events} into the xDS server's
 * `events` option (combined with any other hooks); every hook is synchronous and cheap.
 */
export class SyncTracker {
  private readonly streams = new Map<number, { stream: StreamInfo; types: Map<string, TypeSyncState> }>();
  private readonly changed: () => void;

  /** `onChange` is called after every change (e.g. to schedule a sync report); it must be cheap and not throw. */
  constructor(onChange: () => void = () => undefined) {
    this.changed = onChange;
  }

  /** The xDS server hooks that feed this tracker. */
  events(): Required<
    Pick<XdsServerEvents, 'onConnected' | 'onDisconnected' | 'onSent' | 'onAcked' | 'onRejected'>
  > {
    return {
      onConnected: (stream) => this.connected(stream),
      onDisconnected: (stream) => this.disconnected(stream),
      onSent: (stream, response) => this.sent(stream, response),
      onAcked: (stream, typeUrl, version) => this.acked(stream, typeUrl, version),
      onRejected: (rejection, stream) => this.rejected(rejection, stream),
    };
  }

  /** Every connected proxy, sorted by proxy key, then node id, then stream id. */
  proxies(): ProxySyncState[] {
    return [...this.streams.values()]
      .map(({ stream, types }) => ({ stream, types }))
      .sort(
        (a, b) =>
          compare(a.stream.proxyKey, b.stream.proxyKey) ||
          compare(a.stream.nodeId, b.stream.nodeId) ||
          a.stream.streamId - b.stream.streamId,
      );
  }

  private connected(stream: StreamInfo): void {
    this.streams.set(stream.streamId, { stream, types: new Map() });
    this.changed();
  }

  private disconnected(stream: StreamInfo): void {
    if (this.streams.delete(stream.streamId)) this.changed();
  }

  private typeState(stream: StreamInfo, typeUrl: string): TypeSyncState | undefined {
    const entry = this.streams.get(stream.streamId);
    if (entry === undefined) return undefined;
    let state = entry.types.get(typeUrl);
    if (state === undefined) {
      state = {};
      entry.types.set(typeUrl, state);
    }
    return state;
  }

  private sent(stream: StreamInfo, response: SentResponse): void {
    const state = this.typeState(stream, response.typeUrl);
    if (state === undefined || state.sent === response.version) return;
    state.sent = response.version;
    this.changed();
  }

  private acked(stream: StreamInfo, typeUrl: string, version: string): void {
    const state = this.typeState(stream, typeUrl);
    if (state === undefined) return;
    if (state.acked === version && state.rejected === undefined) return;
    state.acked = version;
    delete state.rejected;
    this.changed();
  }

  private rejected(rejection: Rejection, stream: StreamInfo): void {
    const state = this.typeState(stream, rejection.typeUrl);
    if (state === undefined) return;
    state.rejected = { version: rejection.version, message: rejection.message };
    this.changed();
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
