/**
 * IR → Envoy: `translateProxy` turns one workload's ProxyIR into the resources its sidecar receives. Pure and
 * deterministic: the same IR and config always give the same resources, each list sorted by name. Both sides are
 * memoised by content (inbound.ts, ADR 0034; shared-outbound.ts, ADR 0026): equal content gives the same objects.
 */
import type { Listener } from '../../gen/envoy/config/listener/v3/listener.js';
import type { ProxyIR } from '../../ir/index.js';
import { byString } from './common.js';
import type { XdsTranslateConfig } from './config.js';
import { sharedInbound } from './inbound.js';
import { canonicalConfig } from './memo.js';
import { sharedOutbound } from './shared-outbound.js';
import { withSharedPart } from './resources.js';
import type { XdsResources } from './resources.js';

/** Every resource one proxy receives, each list sorted by name. */
export function translateProxy(proxy: ProxyIR, config: XdsTranslateConfig): XdsResources {
  const settings = canonicalConfig(config);
  const inbound = sharedInbound(proxy, settings);
  const out = sharedOutbound(proxy.outbound, settings, proxy.workload.namespace);
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
