/**
 * IR → Envoy: `translateProxy` turns one workload's ProxyIR into the resources its sidecar receives. Pure and
 * deterministic: the same IR and config always give the same resources, each list sorted by name.
 */
import type { Cluster } from '../../gen/envoy/config/cluster/v3/cluster.js';
import type { Listener } from '../../gen/envoy/config/listener/v3/listener.js';
import type { ProxyIR } from '../../ir/index.js';
import { accessLogClusters, accessLogs } from './access-log.js';
import { byString } from './common.js';
import { localAppClusterFor } from './clusters.js';
import type { XdsTranslateConfig } from './config.js';
import type { FilterContext } from './filters/module.js';
import { httpFiltersFor } from './hcm.js';
import type { InboundPortChains } from './listeners.js';
import { inboundListener } from './listeners.js';
import { sharedOutbound } from './shared-outbound.js';
import type { XdsResources } from './resources.js';
import { inboundRoutes } from './routes.js';

/** Every resource one proxy receives, each list sorted by name. */
export function translateProxy(proxy: ProxyIR, config: XdsTranslateConfig): XdsResources {
  const ports = proxy.ports.map((port) => portChains({ proxy, port, config }));
  const out = sharedOutbound(proxy.outbound, config, proxy.workload.namespace);
  const inbound = inboundListener(
    config,
    ports.map((p) => p.chains),
  );
  const listeners: Listener[] = inbound === undefined ? [out.listener] : [inbound, out.listener];
  const clusters = [
    ...proxy.ports.map((p) => localAppClusterFor(p.port)),
    ...ports.flatMap((p) => p.clusters),
    ...out.clusters,
  ];
  return {
    listeners: sortByName(listeners),
    routes: sortByName([...proxy.ports.map(inboundRoutes), ...out.routes]),
    clusters: sortByName(uniqueByName(clusters)),
    endpoints: [],
    secrets: [],
  };
}

/** One port's chain ingredients, and the clusters its filters and access logs need. */
function portChains(ctx: FilterContext): { chains: InboundPortChains; clusters: Cluster[] } {
  const { httpFilters, clusters } = httpFiltersFor(ctx);
  return {
    chains: { ctx, httpFilters, accessLog: accessLogs(ctx) },
    clusters: [...clusters, ...accessLogClusters(ctx)],
  };
}

/**
 * The first cluster of each name. Modules build a shared cluster (the dataplane, a JWKS host) the same way on every
 * port, so keeping the first loses nothing. (Two different clusters under one name would be a module bug: the first
 * wins, in the fixed order local apps, then filter modules by port and HTTP_FILTER_ORDER, then outbound.)
 */
function uniqueByName(clusters: Cluster[]): Cluster[] {
  const seen = new Map<string, Cluster>();
  for (const c of clusters) if (!seen.has(c.name)) seen.set(c.name, c);
  return [...seen.values()];
}

/** A copy sorted by `name`. */
function sortByName<T extends { name: string }>(list: T[]): T[] {
  return [...list].sort((a, b) => byString(a.name, b.name));
}
