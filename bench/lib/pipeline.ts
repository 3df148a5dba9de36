/**
 * The production pipeline stages, driven directly for the benchmarks: ResourceSnapshot → IR → per proxy translate,
 * check, encode → snapshot cache. `fullRebuild` is what `aspen serve` does on its first rebuild; `incrementalRebuild`
 * what it does on every change since (ADRs 27 and 33): the translation with the translate memo, then only the proxies
 * whose IR changed (src/serve/incremental.ts).
 */
import type { ResourceSnapshot } from '../../src/provider/snapshot.js';
import { buildProxy } from '../../src/serve/build.js';
import { IncrementalRebuilds } from '../../src/serve/incremental.js';
import { translate } from '../../src/translate/translate.js';
import type { SnapshotCache } from '../../src/xds/cache/cache.js';
import { defaultXdsConfig } from '../../src/xds/translate/config.js';
import type { XdsTranslateConfig } from '../../src/xds/translate/config.js';

/** Timings of one rebuild, in ms. */
export interface RebuildTimes {
  /** Validation and IR translation of the whole snapshot, and finding the proxies whose IR changed. */
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

/** A pipeline over one cache, remembering what it served, with the runner's incremental state. */
export class BenchPipeline {
  readonly xds: XdsTranslateConfig = defaultXdsConfig('cluster.local');
  private readonly incremental = new IncrementalRebuilds();

  constructor(readonly cache: SnapshotCache) {}

  /** Rebuilds every proxy from scratch (an empty memo), as the first rebuild of `aspen serve` does. */
  fullRebuild(snapshot: ResourceSnapshot): RebuildTimes {
    this.incremental.reset();
    return this.rebuild(snapshot);
  }

  /**
   * Rebuilds as `aspen serve`'s runner does after a change: the translation with the translate memo kept since the
   * previous rebuild, then only the proxies whose IR changed (src/serve/incremental.ts).
   */
  incrementalRebuild(snapshot: ResourceSnapshot): RebuildTimes {
    return this.rebuild(snapshot);
  }

  private rebuild(snapshot: ResourceSnapshot): RebuildTimes {
    const t0 = performance.now();
    const { proxies } = translate(snapshot, { trustDomain: 'cluster.local' }, this.incremental.memo);
    const plan = this.incremental.plan(proxies);
    const t1 = performance.now();
    const builds = plan.changed.map((proxy) => buildProxy(proxy, this.xds));
    const t2 = performance.now();
    const result = this.incremental.publish(this.cache, builds, plan);
    if (result.failed.length > 0) throw new Error(`check failed: ${JSON.stringify(result.failed[0])}`);
    const t3 = performance.now();
    const changedKeys = [...new Set(result.changed.map((c) => c.proxyKey))].sort();
    const times = { ir: t1 - t0, xds: t2 - t1, publish: t3 - t2, total: t3 - t0 };
    return { ...times, rebuilt: builds.length, changed: changedKeys.length, changedKeys };
  }
}
