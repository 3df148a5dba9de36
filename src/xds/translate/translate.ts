/**
 * IR → Envoy: `translateProxy` turns one workload's ProxyIR into the resources its sidecar receives. Pure and
 * deterministic: the same IR and config always give the same resources, each list sorted by name. Both sides are
 * memoised by content (inbound.ts, ADR 0034; shared-outbound.ts, ADR 0026): equal content gives the same objects.
 */
import type { Cluster } from '../../gen/envoy/config/cluster/v3/cluster.js';
import type { Listener } from '../../gen/envoy/config/listener/v3/listener.js';
import type { RouteConfiguration } from '../../gen/envoy/config/route/v3/route.js';
import type { ProxyIR } from '../../ir/index.js';
import { byString } from './common.js';
import type { XdsTranslateConfig } from './config.js';
import { sharedInbound } from './inbound.js';
import { canonicalConfig } from './memo.js';
import type { OutboundResources } from './outbound.js';
import { sharedOutbound } from './shared-outbound.js';
import { withSharedPart } from './resources.js';
import type { SharedPart, XdsResources } from './resources.js';

/** Every resource one proxy receives, each list sorted by name. */
export function translateProxy(proxy: ProxyIR, config: XdsTranslateConfig): XdsResources {
  const settings = canonicalConfig(config);
  const inbound = sharedInbound(proxy, settings);
  const out = sortedOutbound(sharedOutbound(proxy.outbound, settings, proxy.workload.namespace));
  const listeners: Listener[] =
    inbound.listener === undefined ? [out.listener] : sortByName([inbound.listener, out.listener]);
  const resources = {
    listeners,
    routes: mergeByName(inbound.routes.length > 1 ? sortByName(inbound.routes) : inbound.routes, out.routes),
    // The first cluster of each name wins: inbound's (local apps, filter modules, logs), then outbound's.
    clusters: mergeByName(inbound.clusters, out.clusters, true),
    endpoints: [],
    secrets: [],
  };
  return withSharedPart(resources, out.shared);
}

/** The outbound lists, sorted by name (clusters: the first of each name), once per translation (shared objects). */
interface SortedOutbound {
  listener: Listener;
  routes: RouteConfiguration[];
  clusters: Cluster[];
  /** The same, as the part every proxy with this outbound side shares. */
  shared: SharedPart;
}

const sortedOf = new WeakMap<OutboundResources, SortedOutbound>();

function sortedOutbound(out: OutboundResources): SortedOutbound {
  const sorted = sortedOf.get(out);
  if (sorted === undefined) {
    const seen = new Map<string, Cluster>();
    for (const c of out.clusters) if (!seen.has(c.name)) seen.set(c.name, c);
    const routes = sortByName(out.routes);
    const clusters = sortByName([...seen.values()]);
    const created = {
      listener: out.listener,
      routes,
      clusters,
      shared: { listeners: [out.listener], routes, clusters },
    };
    sortedOf.set(out, created);
    return created;
  }
  return sorted;
}

/**
 * Two lists sorted by name merged into one; on equal names the first list's entry comes first, and with `unique`
 * only the first list's is kept (each list must then hold each name once).
 */
export function mergeByName<T extends { name: string }>(
  first: readonly T[],
  second: readonly T[],
  unique = false,
): T[] {
  const out: T[] = [];
  let i = 0;
  let j = 0;
  while (i < first.length && j < second.length) {
    const a = first[i] as T;
    const b = second[j] as T;
    const order = byString(a.name, b.name);
    if (order <= 0) {
      out.push(a);
      i += 1;
      if (order === 0 && unique) j += 1;
    } else {
      out.push(b);
      j += 1;
    }
  }
  for (; i < first.length; i += 1) out.push(first[i] as T);
  for (; j < second.length; j += 1) out.push(second[j] as T);
  return out;
}

/** A copy sorted by `name`. */
function sortByName<T extends { name: string }>(list: readonly T[]): T[] {
  return [...list].sort((a, b) => byString(a.name, b.name));
}
