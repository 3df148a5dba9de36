/**
 * IR → Envoy: `translateProxy` turns one workload's ProxyIR into the resources its sidecar receives. Pure and
 * deterministic: the same IR and config always give the same resources, each list sorted by name. Both sides are
 * memoised by content (inbound.ts, ADR 0034; shared-outbound.ts, ADR 0026): equal content gives the same objects.
 */
import type { Cluster } from '../../gen/envoy/config/cluster/v3/cluster.js';
import type { Listener } from '../../gen/envoy/config/listener/v3/listener.js';
import type { RouteConfiguration } from '../../gen/envoy/config/route/v3/route.js';
import type { OutboundServiceIR, ProxyIR } from '../../ir/index.js';
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
  const out = outboundFor(proxy.outbound, settings, proxy.workload.namespace);
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

/**
 * The sorted outbound side by outbound array (the translator hands every proxy of a rebuild the same one), settings
 * object and caller namespace: a rebuild looks its content up in `sharedOutbound` once per array and namespace, not
 * once per proxy.
 */
const byArray = new WeakMap<
  readonly OutboundServiceIR[],
  WeakMap<XdsTranslateConfig, Map<string, SortedOutbound>>
>();

function outboundFor(
  services: readonly OutboundServiceIR[],
  config: XdsTranslateConfig,
  callerNamespace: string,
): SortedOutbound {
  let byConfig = byArray.get(services);
  if (byConfig === undefined) {
    byConfig = new WeakMap();
    byArray.set(services, byConfig);
  }
  let byNamespace = byConfig.get(config);
  if (byNamespace === undefined) {
    byNamespace = new Map();
    byConfig.set(config, byNamespace);
  }
  let out = byNamespace.get(callerNamespace);
  if (out === undefined) {
    out = sortedOutbound(sharedOutbound(services, config, callerNamespace));
    byNamespace.set(callerNamespace, out);
  }
  return out;
}

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
 * only the first list's is kept (each list must then hold each name once). The first list is the short one (a
 * proxy's own resources), the second the long shared one: runs of the second are copied between binary searches.
 */
export function mergeByName<T extends { name: string }>(
  first: readonly T[],
  second: readonly T[],
  unique = false,
): T[] {
  const out: T[] = [];
  let j = 0;
  for (const a of first) {
    const k = lowerBound(second, a.name, j);
    for (; j < k; j += 1) out.push(second[j] as T);
    out.push(a);
    if (unique && j < second.length && (second[j] as T).name === a.name) j += 1;
  }
  for (; j < second.length; j += 1) out.push(second[j] as T);
  return out;
}

/** The first index at or after `from` whose name is not below `name` (the list sorted by name). */
function lowerBound<T extends { name: string }>(list: readonly T[], name: string, from: number): number {
  let lo = from;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (byString((list[mid] as T).name, name) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** A copy sorted by `name`. */
function sortByName<T extends { name: string }>(list: readonly T[]): T[] {
  return [...list].sort((a, b) => byString(a.name, b.name));
}
