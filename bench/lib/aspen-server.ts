/**
 * aspen's xDS server as `aspen serve` runs it, for the benchmarks: the ADS service over TLS with a serving certificate
 * from the workload CA (renewed by `ServingTls`), proxies identified by the file-mode authenticator, logs dropped.
 */
import { generateRootCa } from '../../src/ca/root.js';
import { newCaState, trustBundle } from '../../src/ca/state.js';
import type { CaState } from '../../src/ca/types.js';
import { systemTimers } from '../../src/serve/debounce.js';
import { ServingTls } from '../../src/serve/tls.js';
import type { SnapshotCache } from '../../src/xds/cache/cache.js';
import { typeSnapshotOf } from '../../src/xds/cache/snapshot.js';
import { AdsService } from '../../src/xds/server/ads.js';
import { fileModeAuthenticator } from '../../src/xds/server/file-auth.js';
import { XdsServer } from '../../src/xds/server/server.js';
import { silentLogger, systemClock } from '../../src/xds/server/types.js';
import { TypeUrl } from '../../src/xds/translate/resources.js';
import type { ClientSpec } from './ads-client.js';
import { TYPES } from './ads-client.js';
import type { Expectation, FleetTarget } from './fleet.js';

/** A workload CA and its trust bundle. */
export async function benchCa(): Promise<{ ca: CaState; caPem: string }> {
  const root = await generateRootCa({ trustDomain: 'cluster.local', clock: () => new Date() });
  if (!root.ok) throw new Error(root.error.message);
  const ca = newCaState(root.value);
  return { ca, caPem: trustBundle(ca, () => new Date()) };
}

/** A running aspen xDS server. */
export interface AspenServer {
  port: number;
  ads: AdsService;
  close(): Promise<void>;
}

/** Starts the server on `port` (0: any free port) of 127.0.0.1. */
export async function startAspen(cache: SnapshotCache, ca: CaState, port = 0): Promise<AspenServer> {
  const tls = new ServingTls({
    ca,
    dnsNames: ['localhost'],
    clock: systemClock,
    timers: systemTimers,
    logger: silentLogger,
  });
  await tls.start();
  const ads = new AdsService({ cache, authenticate: fileModeAuthenticator(), logger: silentLogger });
  const xds = new XdsServer(ads, silentLogger);
  const bound = await xds.listen(`127.0.0.1:${port}`, tls.credentials);
  return {
    port: bound,
    ads,
    close: async (): Promise<void> => {
      tls.stop();
      await xds.close(1000);
    },
  };
}

/** Where clients reach a server on `port`. */
export function targetOf(port: number, caPem: string): FleetTarget {
  return { target: `127.0.0.1:${port}`, caPem, serverName: 'localhost' };
}

/** One simulated proxy per snapshot in the cache, subscribing to the route configurations its snapshot holds. */
export function clientSpecs(cache: SnapshotCache): ClientSpec[] {
  return cache.proxyKeys().map((key) => {
    const snapshot = cache.getSnapshot(key);
    const routes =
      snapshot === undefined ? [] : typeSnapshotOf(snapshot, TypeUrl.RouteConfiguration).resources;
    return { cluster: key, nodeId: `${key}-pod-0`, routes: routes.map((r) => r.name) };
  });
}

/** The versions aspen's cache holds now, per client and type. */
export function cacheExpectation(cache: SnapshotCache, clients: readonly ClientSpec[]): Expectation {
  return (client, typeIndex) => {
    const key = clients[client]?.cluster ?? '';
    const snapshot = cache.getSnapshot(key);
    return snapshot === undefined ? undefined : typeSnapshotOf(snapshot, TYPES[typeIndex] ?? '').version;
  };
}
