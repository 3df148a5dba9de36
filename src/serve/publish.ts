/**
 * Publishing a rebuild into the snapshot cache: every proxy that built is set (the cache notifies streams only when a
 * type's version changed), a proxy whose build failed keeps its previous snapshot, and proxies whose workload
 * disappeared are removed.
 */
import type { SnapshotCache } from '../xds/cache/cache.js';
import { typeSnapshotOf } from '../xds/cache/snapshot.js';
import type { ProxyBuild } from './build.js';

/** A type version that a rebuild published for one proxy. */
export interface PublishedVersion {
  /** The proxy key. */
  proxyKey: string;
  /** The type URL. */
  typeUrl: string;
  /** Its new version. */
  version: string;
}

/** What publishing did. */
export interface PublishResult {
  /** Per proxy and changed type, the new version (sorted by proxy key, then type URL). */
  changed: PublishedVersion[];
  /** Proxy keys whose snapshot was removed. */
  removed: string[];
  /** Proxies whose previous snapshot (if any) was kept, with why. */
  failed: { proxyKey: string; problems: string[] }[];
  /** The proxy keys this pipeline now serves (built, or kept from before). */
  served: Set<string>;
}

/** Sets one proxy's snapshot; a cache refusal (an aspen bug) is reported like a failed check. */
function setOne(cache: SnapshotCache, build: ProxyBuild & { ok: true }, out: PublishResult): void {
  try {
    const { snapshot, changedTypes } = cache.setSnapshot(build.proxyKey, build.input);
    for (const typeUrl of changedTypes) {
      out.changed.push({
        proxyKey: build.proxyKey,
        typeUrl,
        version: typeSnapshotOf(snapshot, typeUrl).version,
      });
    }
  } catch (error) {
    out.failed.push({
      proxyKey: build.proxyKey,
      problems: [error instanceof Error ? error.message : String(error)],
    });
  }
}

/** Publishes `builds` into `cache`; `previous` are the keys the last publish served. */
export function publish(
  cache: SnapshotCache,
  builds: readonly ProxyBuild[],
  previous: ReadonlySet<string>,
): PublishResult {
  const out: PublishResult = { changed: [], removed: [], failed: [], served: new Set() };
  for (const build of builds) {
    if (build.ok) setOne(cache, build, out);
    else out.failed.push({ proxyKey: build.proxyKey, problems: build.problems });
    if (cache.getSnapshot(build.proxyKey) !== undefined) out.served.add(build.proxyKey);
  }
  const current = new Set(builds.map((b) => b.proxyKey));
  for (const key of [...previous].sort()) {
    if (current.has(key)) continue;
    cache.deleteSnapshot(key);
    out.removed.push(key);
  }
  return out;
}
