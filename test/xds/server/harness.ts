// A loopback xDS server for protocol tests: a snapshot cache, the ADS service with a fixed clock and recorded
// events, and small resource builders (real Envoy messages, packed once).
import { ServerCredentials, credentials } from '@grpc/grpc-js';
import type { StatusObject } from '@grpc/grpc-js';
import { Cluster } from '../../../src/gen/envoy/config/cluster/v3/cluster.js';
import { Listener } from '../../../src/gen/envoy/config/listener/v3/listener.js';
import { RouteConfiguration } from '../../../src/gen/envoy/config/route/v3/route.js';
import { AggregatedDiscoveryServiceClient } from '../../../src/gen/envoy/service/discovery/v3/ads.js';
import { DeltaDiscoveryRequest } from '../../../src/gen/envoy/service/discovery/v3/discovery.js';
import { SnapshotCache } from '../../../src/xds/cache/index.js';
import type { EncodedResource } from '../../../src/xds/cache/index.js';
import { packAny } from '../../../src/xds/proto/any.js';
import { AdsService, XdsServer, fileModeAuthenticator, silentLogger } from '../../../src/xds/server/index.js';
import type {
  Authenticator,
  Rejection,
  SentResponse,
  StreamInfo,
  XdsServerEvents,
} from '../../../src/xds/server/index.js';
import { ScriptedAdsClient } from './client.js';

export const LDS = 'type.googleapis.com/envoy.config.listener.v3.Listener';
export const RDS = 'type.googleapis.com/envoy.config.route.v3.RouteConfiguration';
export const CDS = 'type.googleapis.com/envoy.config.cluster.v3.Cluster';

export const NOW = new Date('2026-11-28T12:00:00Z');

/** A cluster; `tag` changes its content (and so its type's version) without changing its name. */
export function cluster(name: string, tag = ''): EncodedResource {
  return { name, encoded: packAny(Cluster.fromPartial({ name, altStatName: tag })) };
}

export function listener(name: string): EncodedResource {
  return { name, encoded: packAny(Listener.fromPartial({ name, statPrefix: name })) };
}

export function route(name: string, tag = ''): EncodedResource {
  return {
    name,
    encoded: packAny(
      RouteConfiguration.fromPartial({ name, virtualHosts: [{ name: tag || name, domains: ['*'] }] }),
    ),
  };
}

/** Resource names in a response, decoded from the Anys. */
export function namesOf(response: { resources: { value: Uint8Array; typeUrl: string }[] }): string[] {
  return response.resources.map((any) => {
    if (any.typeUrl === CDS) return Cluster.decode(any.value).name;
    if (any.typeUrl === LDS) return Listener.decode(any.value).name;
    return RouteConfiguration.decode(any.value).name;
  });
}

type Event =
  | { kind: 'connected'; stream: StreamInfo }
  | { kind: 'disconnected'; stream: StreamInfo }
  | { kind: 'refused'; peer: string; reason: string }
  | { kind: 'acked'; stream: StreamInfo; typeUrl: string; version: string }
  | { kind: 'rejected'; rejection: Rejection }
  | { kind: 'sent'; stream: StreamInfo; response: SentResponse }
  | { kind: 'ignored'; stream: StreamInfo; typeUrl: string; reason: string };

/** Events as the server reported them, with a way to await one. */
export class EventLog {
  readonly events: Event[] = [];
  private waiters: { match: (event: Event) => boolean; resolve: (event: Event) => void }[] = [];

  push(event: Event): void {
    this.events.push(event);
    const waiting = this.waiters;
    this.waiters = waiting.filter((waiter) => !waiter.match(event));
    for (const waiter of waiting.filter((candidate) => candidate.match(event))) {
      waiter.resolve(event);
    }
  }

  of<K extends Event['kind']>(kind: K): Extract<Event, { kind: K }>[] {
    return this.events.filter((event): event is Extract<Event, { kind: K }> => event.kind === kind);
  }

  /** The first event of `kind` matching `match` that has already happened, or the next one (bounded wait). */
  waitFor<K extends Event['kind']>(
    kind: K,
    match: (event: Extract<Event, { kind: K }>) => boolean = () => true,
    timeoutMs = 2000,
  ): Promise<Extract<Event, { kind: K }>> {
    const matches = (event: Event): event is Extract<Event, { kind: K }> =>
      event.kind === kind && match(event as Extract<Event, { kind: K }>);
    const seen = this.events.find(matches);
    if (seen !== undefined) {
      return Promise.resolve(seen);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${kind} event within ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push({
        match: matches,
        resolve: (event): void => {
          clearTimeout(timer);
          resolve(event as Extract<Event, { kind: K }>);
        },
      });
    });
  }
}

/** A running server and everything a test needs to drive and observe it. */
export interface Harness {
  cache: SnapshotCache;
  ads: AdsService;
  server: XdsServer;
  log: EventLog;
  /** `127.0.0.1:<port>` of the server (delta tests open their own clients). */
  address: string;
  connect(proxyKey: string): ScriptedAdsClient;
  /** Opens a delta stream, sends one request, resolves to the status code it ends with. */
  deltaStatus(): Promise<number>;
  close(): Promise<void>;
}

/** Starts a server on a free loopback port (file-mode authentication unless `authenticate` is given). */
export async function startHarness(
  authenticate: Authenticator = fileModeAuthenticator(),
  extraEvents: XdsServerEvents = {},
): Promise<Harness> {
  const cache = new SnapshotCache();
  const log = new EventLog();
  const ads = new AdsService({
    cache,
    authenticate,
    logger: silentLogger,
    clock: { now: () => NOW },
    events: {
      onConnected: (stream) => log.push({ kind: 'connected', stream }),
      onDisconnected: (stream) => log.push({ kind: 'disconnected', stream }),
      onRefused: (peer, reason) => log.push({ kind: 'refused', peer, reason }),
      onAcked: (stream, typeUrl, version) => log.push({ kind: 'acked', stream, typeUrl, version }),
      onRejected: (rejection) => log.push({ kind: 'rejected', rejection }),
      onSent: (stream, response) => {
        log.push({ kind: 'sent', stream, response });
        extraEvents.onSent?.(stream, response);
      },
      onIgnored: (stream, typeUrl, reason) => log.push({ kind: 'ignored', stream, typeUrl, reason }),
    },
  });
  const server = new XdsServer(ads, silentLogger);
  const port = await server.listen('127.0.0.1:0', ServerCredentials.createInsecure());
  const clients: ScriptedAdsClient[] = [];
  return {
    cache,
    ads,
    server,
    log,
    address: `127.0.0.1:${port}`,
    connect: (proxyKey: string): ScriptedAdsClient => {
      const client = new ScriptedAdsClient(`127.0.0.1:${port}`, proxyKey);
      clients.push(client);
      return client;
    },
    deltaStatus: (): Promise<number> => {
      const client = new AggregatedDiscoveryServiceClient(`127.0.0.1:${port}`, credentials.createInsecure());
      const call = client.deltaAggregatedResources();
      return new Promise((resolve) => {
        call.on('error', () => undefined);
        call.on('status', (status: StatusObject) => {
          client.close();
          resolve(status.code);
        });
        call.write(DeltaDiscoveryRequest.fromPartial({ typeUrl: CDS }));
      });
    },
    close: async (): Promise<void> => {
      for (const client of clients) client.close();
      await server.close(500);
    },
  };
}
