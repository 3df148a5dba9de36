/** Test helpers: the typed configs inside translated listeners. */
import type { FilterChain } from '../../../src/gen/envoy/config/listener/v3/listener_components.js';
import type { Listener } from '../../../src/gen/envoy/config/listener/v3/listener.js';
import { RBAC } from '../../../src/gen/envoy/extensions/filters/network/rbac/v3/rbac.js';
import { HttpConnectionManager } from '../../../src/gen/envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.js';
import {
  DownstreamTlsContext,
  UpstreamTlsContext,
} from '../../../src/gen/envoy/extensions/transport_sockets/tls/v3/tls.js';
import type { Cluster } from '../../../src/gen/envoy/config/cluster/v3/cluster.js';
import { unpackAnyAs } from '../../../src/xds/proto/any.js';
import type { Decoder } from '../../../src/xds/proto/any.js';
import type { UnknownMessage } from '../../../src/xds/proto/registry.js';
import type { XdsResources } from '../../../src/xds/translate/resources.js';

/** The typed config of the chain's filter with this name. */
export function filterConfig<T extends UnknownMessage>(
  chain: FilterChain,
  name: string,
  type: Decoder<T>,
): T | undefined {
  const filter = chain.filters.find((f) => f.name === name);
  if (filter?.configType?.$case !== 'typedConfig') return undefined;
  return unpackAnyAs(filter.configType.value, type);
}

/** The chain's HTTP connection manager (throws if it has none). */
export function hcmOf(chain: FilterChain): HttpConnectionManager {
  const hcm = filterConfig(chain, 'envoy.filters.network.http_connection_manager', HttpConnectionManager);
  if (hcm === undefined) throw new Error(`chain ${chain.name} has no HTTP connection manager`);
  return hcm;
}

/** The chain's network RBAC filter, if any. */
export function networkRbacOf(chain: FilterChain): RBAC | undefined {
  return filterConfig(chain, 'envoy.filters.network.rbac', RBAC);
}

/** The chain's DownstreamTlsContext, if it terminates TLS. */
export function downstreamTlsOf(chain: FilterChain): DownstreamTlsContext | undefined {
  const ts = chain.transportSocket;
  if (ts?.configType?.$case !== 'typedConfig') return undefined;
  return unpackAnyAs(ts.configType.value, DownstreamTlsContext);
}

/** The cluster's UpstreamTlsContext, if it originates TLS. */
export function upstreamTlsOf(cluster: Cluster): UpstreamTlsContext | undefined {
  const ts = cluster.transportSocket;
  if (ts?.configType?.$case !== 'typedConfig') return undefined;
  return unpackAnyAs(ts.configType.value, UpstreamTlsContext);
}

/** The listener with this name (throws if absent). */
export function listenerNamed(resources: XdsResources, name: string): Listener {
  const l = resources.listeners.find((x) => x.name === name);
  if (l === undefined) throw new Error(`no listener ${name}`);
  return l;
}

/** The cluster with this name (throws if absent). */
export function clusterNamed(resources: XdsResources, name: string): Cluster {
  const c = resources.clusters.find((x) => x.name === name);
  if (c === undefined) throw new Error(`no cluster ${name}`);
  return c;
}
