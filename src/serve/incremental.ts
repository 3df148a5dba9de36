/**
 * Incremental rebuilds (ADRs 0027, 0033): the IR of every proxy is compared with the previous rebuild's, so a
 * one-policy change re-translates, re-checks and re-encodes only the proxies whose IR changed. The outbound side is
 * compared per proxy (proxies may receive different outbound lists); equal lists are serialised once per array object,
 * and an unchanged array object (the translate memo keeps it while nothing on the outbound side changed) costs
 * nothing. Pure apart from the memory it keeps between calls.
 */
import type { ProxyIR } from '../ir/index.js';
import { TranslateMemo } from '../translate/memo.js';
import type { SnapshotCache } from '../xds/cache/cache.js';
import type { ProxyBuild } from './build.js';
import { publish } from './publish.js';
import type { PublishResult } from './publish.js';

/** What {@link ProxyIrMemory.diff} found. */
export interface IrDiff {
  /** Proxies that are new or whose IR changed: these must be rebuilt. */
  changed: ProxyIR[];
  /** Keys of proxies that no longer exist. */
  removed: string[];
}

/** The IR a proxy had at the previous rebuild, as a canonical string (its outbound side kept apart). */
function ownIr(proxy: ProxyIR): string {
  return JSON.stringify({ ...proxy, outbound: undefined });
}

/** Whether every field but `outbound` holds the same value (by identity): then the own IR is unchanged. */
function sameOwnFields(a: ProxyIR, b: ProxyIR): boolean {
  const keys = Object.keys(a) as (keyof ProxyIR)[];
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((k) => k === 'outbound' || (Object.hasOwn(b, k) && a[k] === b[k]));
}

/** One proxy as remembered: its IR (immutable once translated) and, once needed, its own IR as a string. */
interface Remembered {
  proxy: ProxyIR;
  own?: string;
  /** The last diff that saw it. */
  seen: number;
}

/** Remembers each proxy's IR between rebuilds. */
export class ProxyIrMemory {
  private readonly last = new Map<string, Remembered>();
  private outboundJson = new WeakMap<readonly unknown[], string>();
  private diffs = 0;

  /** Compares `proxies` with the previous call's and remembers them. The first call reports every proxy. */
  diff(proxies: readonly ProxyIR[]): IrDiff {
    this.diffs += 1;
    const changed: ProxyIR[] = [];
    for (const proxy of proxies) {
      const previous = this.last.get(proxy.key);
      if (previous === undefined) {
        this.last.set(proxy.key, { proxy, seen: this.diffs });
        changed.push(proxy);
      } else if (!this.update(previous, proxy)) changed.push(proxy);
    }
    const removed: string[] = [];
    for (const [key, r] of this.last) {
      if (r.seen === this.diffs) continue;
      this.last.delete(key);
      removed.push(key);
    }
    return { changed, removed: removed.sort() };
  }

  /** Forgets everything: the next diff reports every proxy (after a failed publish, say). */
  reset(): void {
    this.last.clear();
    this.outboundJson = new WeakMap();
  }

  /** Remembers `proxy` in place of `previous`; true when its IR is the same. */
  private update(previous: Remembered, proxy: ProxyIR): boolean {
    const same = this.sameIr(previous, proxy);
    previous.proxy = proxy;
    previous.seen = this.diffs;
    return same;
  }

  private sameIr(previous: Remembered, proxy: ProxyIR): boolean {
    if (!this.sameOutbound(previous.proxy.outbound, proxy.outbound)) {
      previous.own = undefined;
      return false;
    }
    if (sameOwnFields(previous.proxy, proxy)) return true;
    const own = ownIr(proxy);
    const same = (previous.own ?? ownIr(previous.proxy)) === own;
    previous.own = own;
    return same;
  }

  private sameOutbound(a: readonly unknown[], b: readonly unknown[]): boolean {
    return a === b || this.json(a) === this.json(b);
  }

  private json(outbound: readonly unknown[]): string {
    let text = this.outboundJson.get(outbound);
    if (text === undefined) {
      text = JSON.stringify(outbound);
      this.outboundJson.set(outbound, text);
    }
    return text;
  }
}

/** The proxies one rebuild must build, from {@link IncrementalRebuilds.plan}. */
export interface RebuildPlan extends IrDiff {
  /** True when every proxy is rebuilt (first rebuild, or after a failure). */
  full: boolean;
}

/**
 * The state of incremental rebuilds, shared by `aspen serve`/`aspen controller` (runner.ts) and the benchmark: the
 * translate memo, the proxies' IR and the proxies served. Whenever anything is uncertain (first rebuild, a proxy that
 * failed its build or publish, an internal error) the next rebuild builds every proxy.
 */
export class IncrementalRebuilds {
  /** The translate memo, kept across rebuilds. */
  readonly memo = new TranslateMemo();
  private readonly memory = new ProxyIrMemory();
  private servedKeys = new Set<string>();
  private fullNext = true;

  /** The proxy keys served after the last publish. */
  get served(): ReadonlySet<string> {
    return this.servedKeys;
  }

  /** Which proxies to build for this translation: those whose IR changed, or all of them. */
  plan(proxies: readonly ProxyIR[]): RebuildPlan {
    const full = this.fullNext;
    if (full) this.memory.reset();
    const diff = this.memory.diff(proxies);
    // Until this plan is published, the memory is ahead of the cache: if publishing never happens, rebuild all.
    this.fullNext = true;
    return { ...diff, full };
  }

  /**
   * Publishes the builds of `plan` into `cache`, removes the proxies that are gone, and remembers what is served. A
   * build or publish that failed makes the next plan a full one.
   */
  publish(cache: SnapshotCache, builds: readonly ProxyBuild[], plan: RebuildPlan): PublishResult {
    const gone = plan.full ? this.servedKeys : new Set(plan.removed.filter((k) => this.servedKeys.has(k)));
    const result = publish(cache, builds, gone);
    if (plan.full) this.servedKeys = result.served;
    else {
      for (const key of result.removed) this.servedKeys.delete(key);
      for (const key of result.served) this.servedKeys.add(key);
    }
    this.fullNext = result.failed.length > 0;
    return { ...result, served: new Set(this.servedKeys) };
  }

  /** Forgets everything but what is served: the next rebuild translates from scratch and builds every proxy. */
  reset(): void {
    this.fullNext = true;
    this.memo.reset();
  }
}
