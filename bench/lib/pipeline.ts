/**
 * The production pipeline stages, driven directly for the benchmarks: ResourceSnapshot → IR → per proxy translate,
 * check, encode → snapshot cache. `fullRebuild` is what `aspen serve` does on every change; `incrementalRebuild`
 * re-translates only the proxies whose IR changed (src/serve/incremental.ts).
 */
import type { ResourceSnapshot } from '../../src/provider/snapshot.js';
import { buildProxy } from '../../src/serve/build.js';
import { ProxyIrMemory } from '../../src/serve/incremental.js';
import { publish } from '../../src/serve/publish.js';
import { translate } from '../../src/translate/translate.js';
import type { SnapshotCache } from '../../src/xds/cache/cache.js';
import { defaultXdsConfig } from '../../src/xds/translate/config.js';
import type { XdsTranslateConfig } from '../../src/xds/translate/config.js';

/** Timings of one rebuild, in ms. */
export interface RebuildTimes {
  /** Validation and IR translation of the whole snapshot. */
  ir: number;
  /** Envoy translation, check and encoding of the proxies rebuilt. */
  xds: number;
  /** Publishing into the cache (versions, interning, notifying streams). */
  publish: number;
  /** All of it. */
  total: number;
  /** Proxies rebuilt. */
  rebuilt: number;
  /** Proxies whose snapshot changed. */
  changed: number;
  /** Their keys, sorted. */
  changedKeys: string[];
}

/** A pipeline over one cache, remembering what it served. */
export class BenchPipeline {
  readonly xds: XdsTranslateConfig = defaultXdsConfig('cluster.local');
  private served = new Set<string>();
  private readonly memory = new ProxyIrMemory();

  constructor(readonly cache: SnapshotCache) {}

  /** Rebuilds every proxy, as `aspen serve` does. */
  fullRebuild(snapshot: ResourceSnapshot): RebuildTimes {
    return this.rebuild(snapshot, false);
  }

  /** Rebuilds only the proxies whose IR changed since the previous rebuild. */
  incrementalRebuild(snapshot: ResourceSnapshot): RebuildTimes {
    return this.rebuild(snapshot, true);
  }

  private rebuild(snapshot: ResourceSnapshot, incremental: boolean): RebuildTimes {
    const t0 = performance.now();
    const { proxies } = translate(snapshot, { trustDomain: 'cluster.local' });
    const t1 = performance.now();
    const diff = this.memory.diff(proxies);
    const todo = incremental ? diff.changed : proxies;
    const builds = todo.map((proxy) => buildProxy(proxy, this.xds));
    const t2 = performance.now();
    const previous = incremental ? new Set(diff.removed) : this.served;
    const result = publish(this.cache, builds, previous);
    if (incremental) {
      for (const key of diff.removed) this.served.delete(key);
      for (const key of result.served) this.served.add(key);
    } else {
      this.served = result.served;
    }
    if (result.failed.length > 0) throw new Error(`check failed: ${JSON.stringify(result.failed[0])}`);
    const t3 = performance.now();
    const changedKeys = [...new Set(result.changed.map((c) => c.proxyKey))].sort();
    const times = { ir: t1 - t0, xds: t2 - t1, publish: t3 - t2, total: t3 - t0 };
    return { ...times, rebuilt: todo.length, changed: changedKeys.length, changedKeys };
  }
}
