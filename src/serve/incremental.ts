/**
 * Which proxies a rebuild must translate again (ADR 0027): the IR of every proxy is compared with the previous
 * rebuild's, so a one-policy change re-translates, re-checks and re-encodes only the proxies whose IR changed. The
 * outbound side is shared by every proxy (one array per translation); when its content changes, every proxy is
 * rebuilt. Pure apart from the memory it keeps between calls.
 */
import type { ProxyIR } from '../ir/index.js';

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

/** Remembers each proxy's IR between rebuilds. */
export class ProxyIrMemory {
  private last = new Map<string, string>();
  private lastOutbound: readonly unknown[] | undefined;
  private lastOutboundJson = '';

  /** Compares `proxies` with the previous call's and remembers them. The first call reports every proxy. */
  diff(proxies: readonly ProxyIR[]): IrDiff {
    const outboundChanged = this.outboundChanged(proxies[0]?.outbound);
    const next = new Map<string, string>();
    const changed: ProxyIR[] = [];
    for (const proxy of proxies) {
      const own = ownIr(proxy);
      next.set(proxy.key, own);
      if (outboundChanged || this.last.get(proxy.key) !== own) changed.push(proxy);
    }
    const removed = [...this.last.keys()].filter((key) => !next.has(key)).sort();
    this.last = next;
    return { changed, removed };
  }

  /** Forgets everything: the next diff reports every proxy (after a failed publish, say). */
  reset(): void {
    this.last.clear();
    this.lastOutbound = undefined;
    this.lastOutboundJson = '';
  }

  private outboundChanged(outbound: readonly unknown[] | undefined): boolean {
    if (outbound === undefined || outbound === this.lastOutbound) return false;
    const json = JSON.stringify(outbound);
    const changed = json !== this.lastOutboundJson;
    this.lastOutbound = outbound;
    this.lastOutboundJson = json;
    return changed;
  }
}
