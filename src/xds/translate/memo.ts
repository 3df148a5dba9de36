/**
 * Memoising translation by content (ADR 0034): the same input content gives the very same message objects, within
 * one rebuild (proxies whose inbound side is alike) and across rebuilds (content that did not change), so the later
 * stages' memos on message objects (check, encoding, versions: ADR 0026) hit. Inputs are IR values and translation
 * settings, which nobody modifies once built; outputs are messages, which nobody modifies once translated.
 */
import type { XdsTranslateConfig } from './config.js';

/**
 * A bounded map from content keys to values, least recently used out first. A hit moves the entry to the back, so
 * content that every rebuild uses stays while content that went away leaves, oldest first. Entries may weigh more
 * than 1 (a whole outbound side counts its services, shared-outbound.ts); an entry heavier than the bound is kept
 * alone.
 */
export class ContentMemo<V> {
  private readonly entries = new Map<string, { value: V; weight: number }>();
  private total = 0;

  /** `max`: the total weight kept (with every weight 1: the most entries kept). */
  constructor(private readonly max: number) {}

  /** The value remembered for `key`, or `compute()`'s, remembered with `weight`. */
  get(key: string, compute: () => V, weight = 1): V {
    const hit = this.entries.get(key);
    if (hit !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit.value;
    }
    const value = compute();
    this.entries.set(key, { value, weight });
    this.total += weight;
    for (const [oldest, entry] of this.entries) {
      if (this.total <= this.max || this.entries.size === 1) break;
      this.entries.delete(oldest);
      this.total -= entry.weight;
    }
    return value;
  }

  /** Entries kept (for tests). */
  get size(): number {
    return this.entries.size;
  }
}

/** JSON of each object seen, by object: an IR value shared by many proxies is serialised once. */
const jsonOf = new WeakMap<object, string>();

/**
 * The canonical JSON of an IR value or settings object, computed once per object. IR values are built in a fixed
 * field order with sorted lists, so equal content gives equal JSON.
 */
export function contentJson(value: object): string {
  let json = jsonOf.get(value);
  if (json === undefined) {
    json = JSON.stringify(value);
    jsonOf.set(value, json);
  }
  return json;
}

/** One settings object per settings content: callers that build equal settings get the same object. */
const configs = new Map<string, XdsTranslateConfig>();

/**
 * The canonical object of a translation settings content: the first object seen with this content. Memos keyed by
 * settings object identity (the outbound side, shared-outbound.ts) then hit across rebuilds that build their
 * settings afresh with equal content.
 */
export function canonicalConfig(config: XdsTranslateConfig): XdsTranslateConfig {
  const key = contentJson(config);
  let canonical = configs.get(key);
  if (canonical === undefined) {
    canonical = config;
    configs.set(key, canonical);
  }
  return canonical;
}
