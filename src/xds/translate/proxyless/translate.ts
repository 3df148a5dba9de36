/**
 * IR → the resources of a proxyless gRPC workload (`translateProxyless`), and the one entry point that picks the
 * shapes a workload's data plane consumes (`translateForDataPlane`): Envoy sidecars get listeners with filter
 * chains; proxyless gRPC workloads (WorkloadIR.proxyless) get client `api_listener`s, server Listeners per gRFC A36,
 * routes, clusters and endpoints. Pure and deterministic, like the Envoy translation. See ADR 0024.
 */
import type { ProxyIR } from '../../../ir/index.js';
import { byString } from '../common.js';
import type { XdsTranslateConfig } from '../config.js';
import type { XdsResources } from '../resources.js';
import { translateProxy } from '../translate.js';
import { clientResources } from './client.js';
import { serverListeners } from './server.js';

function sortByName<T extends { name: string }>(list: T[]): T[] {
  return [...list].sort((a, b) => byString(a.name, b.name));
}

/** Every resource a proxyless gRPC workload receives, each list sorted by name. No SDS: see ./tls.ts. */
export function translateProxyless(proxy: ProxyIR): XdsResources {
  const client = clientResources(proxy.outbound);
  return {
    listeners: sortByName([...serverListeners(proxy), ...client.listeners]),
    routes: sortByName(client.routes),
    clusters: sortByName(client.clusters),
    endpoints: [...client.endpoints].sort((a, b) => byString(a.clusterName, b.clusterName)),
    secrets: [],
  };
}

/** The resources of a workload in the shapes its data plane consumes: proxyless gRPC or Envoy. */
export function translateForDataPlane(proxy: ProxyIR, config: XdsTranslateConfig): XdsResources {
  return proxy.workload.proxyless === true ? translateProxyless(proxy) : translateProxy(proxy, config);
}
