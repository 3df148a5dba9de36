/**
 * The outbound side, translated once per distinct content and shared (ADRs 0026, 0035). Proxies with the same egress
 * scope receive the same outbound services, so their outbound clusters, outbound listener and shared-port routes
 * (which differ per caller namespace only) are built once, and the very same message objects go to every such proxy:
 * later stages (check, encode, version, serialisation) memoise on them. Each service port's cluster is also built
 * once per content, so scopes that overlap (every scope includes its own namespace, say) share their clusters.
 *
 * The memos are keyed by content (a digest of each service's IR), so an unchanged outbound side keeps its objects
 * across rebuilds too; they are bounded (least recently used first out). Within a rebuild the translator hands every
 * proxy with the same scope the same array, so the side is also remembered per array object and caller namespace:
 * a proxy costs a lookup, not a content key. Resources are never modified after translation.
 */
import { createHash } from 'node:crypto';
import type { Cluster } from '../../gen/envoy/config/cluster/v3/cluster.js';
import type { OutboundServiceIR } from '../../ir/index.js';
import type { Listener } from '../../gen/envoy/config/listener/v3/listener.js';
import type { RouteConfiguration } from '../../gen/envoy/config/route/v3/route.js';
import { byString } from './common.js';
import type { XdsTranslateConfig } from './config.js';
import { ContentMemo } from './memo.js';
import { outbound, serviceCluster } from './outbound.js';
import type { OutboundResources, OutboundTarget } from './outbound.js';
import type { SharedPart } from './resources.js';

/** A proxy's outbound side, lists sorted by name (clusters: the first of each name), as every such proxy shares it. */
export interface SharedOutbound {
  listener: Listener;
  routes: RouteConfiguration[];
  clusters: Cluster[];
  /** The same, as the part of the proxy's resources that other proxies share (resources.ts). */
  shared: SharedPart;
}

/** Service entries kept across the distinct outbound sides (a whole mesh of 2,400 services counts 2,400). */
const MAX_SIDE_WEIGHT = 1_000_000;
/** Service port clusters kept. */
const MAX_CLUSTERS = 100_000;

const sides = new ContentMemo<SharedOutbound>(MAX_SIDE_WEIGHT);
/** Per outbound array object, by config id and caller namespace: the side, without computing its content key. */
const byArray = new WeakMap<readonly OutboundServiceIR[], Map<string, SharedOutbound>>();
const clusters = new ContentMemo<Cluster>(MAX_CLUSTERS);

/** Per service IR object: a digest of its content (the IR is rebuilt per translation; equal content, equal digest). */
const serviceDigests = new WeakMap<OutboundServiceIR, string>();
/** Per outbound array: the digests of its services, in order. */
const contentKeys = new WeakMap<readonly OutboundServiceIR[], string>();
/** Configs seen, numbered (a config is part of each key). */
const configIds = new WeakMap<XdsTranslateConfig, number>();
let nextConfigId = 0;

function serviceDigest(service: OutboundServiceIR): string {
  let digest = serviceDigests.get(service);
  if (digest === undefined) {
    digest = createHash('sha256').update(JSON.stringify(service)).digest('base64url').slice(0, 22);
    serviceDigests.set(service, digest);
  }
  return digest;
}

function contentKey(services: readonly OutboundServiceIR[]): string {
  let key = contentKeys.get(services);
  if (key === undefined) {
    key = services.map(serviceDigest).join(',');
    contentKeys.set(services, key);
  }
  return key;
}

function configId(config: XdsTranslateConfig): number {
  let id = configIds.get(config);
  if (id === undefined) {
    id = nextConfigId++;
    configIds.set(config, id);
  }
  return id;
}

/** The cluster of one service port, built once per content of the service. */
function sharedCluster(target: OutboundTarget): Cluster {
  return clusters.get(`${serviceDigest(target.service)}:${target.port.port}`, () => serviceCluster(target));
}

const byName = (a: { name: string }, b: { name: string }): number => byString(a.name, b.name);

/** The sorted form of a translated outbound side. */
function sorted(out: OutboundResources): SharedOutbound {
  const unique = new Map<string, Cluster>();
  for (const c of out.clusters) if (!unique.has(c.name)) unique.set(c.name, c);
  const routes = [...out.routes].sort(byName);
  const clusters = [...unique.values()].sort(byName);
  return {
    listener: out.listener,
    routes,
    clusters,
    shared: { listeners: [out.listener], routes, clusters },
  };
}

/** The outbound side of a proxy in `callerNamespace`: translated once per content, config and namespace. */
export function sharedOutbound(
  services: readonly OutboundServiceIR[],
  config: XdsTranslateConfig,
  callerNamespace: string,
): SharedOutbound {
  const at = `${configId(config)}\n${callerNamespace}`;
  let mine = byArray.get(services);
  if (mine === undefined) {
    mine = new Map();
    byArray.set(services, mine);
  }
  let side = mine.get(at);
  if (side === undefined) {
    const key = `${at}\n${contentKey(services)}`;
    side = sides.get(
      key,
      () => sorted(outbound(services, config, callerNamespace, sharedCluster)),
      services.length + 1,
    );
    mine.set(at, side);
  }
  return side;
}
