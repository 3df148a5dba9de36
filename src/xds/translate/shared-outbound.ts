/**
 * The outbound side, translated once per distinct content and shared (ADRs 0026, 0035). Proxies with the same egress
 * scope receive the same outbound services, so their outbound clusters, outbound listener and shared-port routes
 * (which differ per caller namespace only) are built once, and the very same message objects go to every such proxy:
 * later stages (check, encode, version, serialisation) memoise on them. Each service port's cluster is also built
 * once per content, so scopes that overlap (every scope includes its own namespace, say) share their clusters.
 *
 * The memos are keyed by content (a digest of each service's IR), so an unchanged outbound side keeps its objects
 * across rebuilds too; they are bounded (least recently used first out). Resources are never modified after
 * translation.
 */
import { createHash } from 'node:crypto';
import type { Cluster } from '../../gen/envoy/config/cluster/v3/cluster.js';
import type { OutboundServiceIR } from '../../ir/index.js';
import type { XdsTranslateConfig } from './config.js';
import { ContentMemo } from './memo.js';
import { outbound, serviceCluster } from './outbound.js';
import type { OutboundResources, OutboundTarget } from './outbound.js';

/** Service entries kept across the distinct outbound sides (a whole mesh of 2,400 services counts 2,400). */
const MAX_SIDE_WEIGHT = 1_000_000;
/** Service port clusters kept. */
const MAX_CLUSTERS = 100_000;

const sides = new ContentMemo<OutboundResources>(MAX_SIDE_WEIGHT);
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

/** The outbound resources of a proxy in `callerNamespace`: translated once per content, config and namespace. */
export function sharedOutbound(
  services: readonly OutboundServiceIR[],
  config: XdsTranslateConfig,
  callerNamespace: string,
): OutboundResources {
  const key = `${configId(config)}\n${callerNamespace}\n${contentKey(services)}`;
  return sides.get(
    key,
    () => outbound(services, config, callerNamespace, sharedCluster),
    services.length + 1,
  );
}
