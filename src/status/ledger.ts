/**
 * The publish ledger: which policies, at which generation, each published xDS version carries, per proxy key. It is
 * how a replica decides that a proxy "ACKed the version that carries this policy" (ADR 0015).
 *
 * Versions are content hashes (xds/cache/snapshot.ts), so one version names one exact content: when a publish sets a
 * proxy's Listener type to version `v` while the proxy's IR holds policy `shop/orders@3`, then `v` implements
 * `shop/orders@3`, whichever publish produced it. The ledger therefore keeps, per proxy key and policy-carrying type,
 * `version → {policy@generation}` as a union over publishes (an unchanged version gains the new generations of an
 * edit that did not change its content), bounded to the last {@link LEDGER_VERSIONS_KEPT} versions per type.
 *
 * Only types whose content derives from policies count ({@link POLICY_TYPE_URLS}: listeners, routes, clusters).
 * Endpoints (EDS, which may take a fast path) and SDS secrets (rotated on their own) never decide Programmed.
 */
import type { ProxyIR } from '../ir/index.js';
import type { SnapshotCache } from '../xds/cache/cache.js';
import type { PolicyStatus } from '../translate/status.js';
import { TypeUrl } from '../xds/translate/resources.js';

/** The xDS types whose content carries policies; a proxy is programmed when it ACKed all of these it subscribed to. */
export const POLICY_TYPE_URLS: readonly string[] = [
  TypeUrl.Cluster,
  TypeUrl.Listener,
  TypeUrl.RouteConfiguration,
];

/** How many versions per proxy key and type the ledger remembers (older ones count as not carrying anything). */
export const LEDGER_VERSIONS_KEPT = 8;

/** `<namespace>/<name>@<generation>`: one policy at one generation. */
export type PolicyGeneration = string;

/** Formats a {@link PolicyGeneration}. */
export function policyAt(policy: string, generation: number): PolicyGeneration {
  return `${policy}@${generation}`;
}

/** One proxy key as published: what its IR carries and the version of each type now in the snapshot cache. */
export interface PublishedProxy {
  /** The snapshot cache key (`<namespace>/<workload>`). */
  proxyKey: string;
  /** Policy key → generation of every policy the proxy's IR holds (enforced, audited or failing closed). */
  policies: ReadonlyMap<string, number>;
  /** Type URL → version now served to this proxy key (every type of its snapshot, changed or not). */
  versions: ReadonlyMap<string, string>;
}

/** What the runner tells the ledger after each publish. */
export interface PublishRecord {
  /** Proxy keys whose build succeeded and whose snapshot was set (failed builds keep their old entry: leave out). */
  published: readonly PublishedProxy[];
  /** Proxy keys whose snapshot was removed. */
  removed: readonly string[];
}

/** What the ledger knows about one proxy key. */
interface ProxyEntry {
  /** Policy key → generation, as of the last publish of this key. */
  policies: Map<string, number>;
  /** Type URL → version → carried policy generations (Map keeps insertion order: oldest first). */
  carried: Map<string, Map<string, Set<PolicyGeneration>>>;
}

/** Every policy key (with generation) a proxy's IR holds: its policies and those failing closed on its ports. */
export function proxyPolicies(proxy: ProxyIR, generations: ReadonlyMap<string, number>): Map<string, number> {
  const keys = new Set(proxy.policies);
  for (const port of proxy.ports) for (const f of port.failClosed) keys.add(f.policy);
  const out = new Map<string, number>();
  for (const key of [...keys].sort()) out.set(key, generations.get(key) ?? 0);
  return out;
}

/** What {@link publishRecordFrom} reads: the translation, the publish outcome and the cache it wrote to. */
export interface PublishRecordSource {
  /** Every proxy's IR of this rebuild. */
  proxies: readonly ProxyIR[];
  /** The translator's statuses (their observedGeneration is each policy's generation). */
  statuses: readonly PolicyStatus[];
  /** `publish()`'s result: failed proxy keys and removed ones. */
  failed: readonly { proxyKey: string }[];
  /** Removed proxy keys. */
  removed: readonly string[];
  /** The snapshot cache just published to. */
  cache: Pick<SnapshotCache, 'getSnapshot'>;
}

/**
 * Builds the {@link PublishRecord} of one rebuild: every proxy whose build succeeded, with the policies of its IR and
 * every type version the cache now holds for it. Call it right after `publish()` (src/serve/publish.ts), passing the
 * same IR and statuses that were published, then hand the result to {@link PublishLedger.record}.
 */
export function publishRecordFrom(source: PublishRecordSource): PublishRecord {
  const generations = new Map(source.statuses.map((s) => [`${s.namespace}/${s.name}`, s.observedGeneration]));
  const failed = new Set(source.failed.map((f) => f.proxyKey));
  const published: PublishedProxy[] = [];
  for (const proxy of source.proxies) {
    const snapshot = source.cache.getSnapshot(proxy.key);
    if (failed.has(proxy.key) || snapshot === undefined) continue;
    const versions = new Map([...snapshot.types].map(([url, type]) => [url, type.version]));
    published.push({ proxyKey: proxy.key, policies: proxyPolicies(proxy, generations), versions });
  }
  return { published, removed: [...source.removed] };
}

/** See the module comment. One per replica; fed by the pipeline runner, read by the sync summary. */
export class PublishLedger {
  private readonly entries = new Map<string, ProxyEntry>();

  /** Records one publish (see {@link publishRecordFrom}). */
  record(record: PublishRecord): void {
    for (const key of record.removed) this.entries.delete(key);
    for (const proxy of record.published) this.recordProxy(proxy);
  }

  /** Policy key → generation the proxy key's current configuration carries (empty for an unknown key). */
  policiesOf(proxyKey: string): ReadonlyMap<string, number> {
    return this.entries.get(proxyKey)?.policies ?? new Map();
  }

  /** Whether `version` of `typeUrl`, as published for `proxyKey`, carries `policy` at `generation`. */
  carries(query: {
    proxyKey: string;
    typeUrl: string;
    version: string;
    policy: string;
    generation: number;
  }): boolean {
    const byVersion = this.entries.get(query.proxyKey)?.carried.get(query.typeUrl);
    return byVersion?.get(query.version)?.has(policyAt(query.policy, query.generation)) ?? false;
  }

  /** The proxy keys the ledger knows, sorted. */
  proxyKeys(): string[] {
    return [...this.entries.keys()].sort();
  }

  private recordProxy(proxy: PublishedProxy): void {
    let entry = this.entries.get(proxy.proxyKey);
    if (entry === undefined) {
      entry = { policies: new Map(), carried: new Map() };
      this.entries.set(proxy.proxyKey, entry);
    }
    entry.policies = new Map(proxy.policies);
    const generations = [...proxy.policies].map(([key, gen]) => policyAt(key, gen));
    for (const typeUrl of POLICY_TYPE_URLS) {
      const version = proxy.versions.get(typeUrl);
      if (version !== undefined) addCarried(entry, typeUrl, version, generations);
    }
  }
}

/** Adds generations to one version (moving it to the newest position), evicting the oldest versions beyond the bound. */
function addCarried(
  entry: ProxyEntry,
  typeUrl: string,
  version: string,
  generations: readonly string[],
): void {
  let byVersion = entry.carried.get(typeUrl);
  if (byVersion === undefined) {
    byVersion = new Map();
    entry.carried.set(typeUrl, byVersion);
  }
  const set = byVersion.get(version) ?? new Set<PolicyGeneration>();
  byVersion.delete(version);
  for (const g of generations) set.add(g);
  byVersion.set(version, set);
  while (byVersion.size > LEDGER_VERSIONS_KEPT) {
    const oldest = byVersion.keys().next().value;
    if (oldest === undefined) break;
    byVersion.delete(oldest);
  }
}
