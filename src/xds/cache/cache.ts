/**
 * The per-proxy snapshot cache between the xDS translator and the xDS server. The translator publishes one consistent
 * snapshot per proxy key; the server reads it and watches for changes. Types whose content is identical (same content
 * version) are interned, so proxies with identical resources share one encoded object. No module-level state: each
 * {@link SnapshotCache} is independent.
 */
import { buildSnapshot, typeSnapshotOf } from './snapshot.js';
import type { Snapshot, SnapshotInput, TypeSnapshot } from './snapshot.js';

/** Called after a proxy's snapshot changed (`undefined`: the snapshot was deleted). Must not throw. */
export type SnapshotListener = (snapshot: Snapshot | undefined) => void;

/** Releases a watch; calling it twice is harmless. */
export type Unsubscribe = () => void;

/** What {@link SnapshotCache.setSnapshot} did. */
export interface SetSnapshotResult {
  /** The snapshot now stored (its type snapshots possibly shared with other proxies). */
  readonly snapshot: Snapshot;
  /** Type URLs whose version differs from the previous snapshot (added, changed or removed), sorted. */
  readonly changedTypes: readonly string[];
}

interface Interned {
  readonly type: TypeSnapshot;
  refs: number;
}

/** Per-proxy snapshots with change notification. */
export class SnapshotCache {
  private readonly snapshots = new Map<string, Snapshot>();
  private readonly listeners = new Map<string, Set<SnapshotListener>>();
  private readonly interned = new Map<string, Interned>();

  /**
   * Stores a proxy's snapshot, computing each type's content version. Listeners are told only when some type's
   * version changed. Throws `SnapshotError` on inconsistent input (the previous snapshot then stays).
   */
  setSnapshot(proxyKey: string, input: SnapshotInput): SetSnapshotResult {
    const built = buildSnapshot(input);
    const types = new Map<string, TypeSnapshot>();
    for (const [typeUrl, type] of built.types) {
      types.set(typeUrl, this.intern(type));
    }
    const snapshot: Snapshot = { types };
    const previous = this.snapshots.get(proxyKey);
    this.snapshots.set(proxyKey, snapshot);
    if (previous !== undefined) {
      this.release(previous);
    }
    const changedTypes = changedTypeUrls(previous, snapshot);
    if (changedTypes.length > 0) {
      this.notify(proxyKey, snapshot);
    }
    return { snapshot, changedTypes };
  }

  /** The proxy's current snapshot, if one was set. */
  getSnapshot(proxyKey: string): Snapshot | undefined {
    return this.snapshots.get(proxyKey);
  }

  /** Forgets a proxy's snapshot (its workload is gone) and tells its listeners with `undefined`. */
  deleteSnapshot(proxyKey: string): void {
    const previous = this.snapshots.get(proxyKey);
    if (previous === undefined) {
      return;
    }
    this.snapshots.delete(proxyKey);
    this.release(previous);
    this.notify(proxyKey, undefined);
  }

  /** The proxy keys that have a snapshot, sorted. */
  proxyKeys(): string[] {
    return [...this.snapshots.keys()].sort();
  }

  /** How many distinct type snapshots are held (shared ones count once): a figure for metrics and tests. */
  sharedTypeCount(): number {
    return this.interned.size;
  }

  /**
   * Calls `listener` after every change of the proxy's snapshot (not for the current one: read it with
   * {@link getSnapshot}). Returns the function that stops the calls.
   */
  watch(proxyKey: string, listener: SnapshotListener): Unsubscribe {
    let set = this.listeners.get(proxyKey);
    if (set === undefined) {
      set = new Set();
      this.listeners.set(proxyKey, set);
    }
    set.add(listener);
    return (): void => {
      const current = this.listeners.get(proxyKey);
      current?.delete(listener);
      if (current?.size === 0) {
        this.listeners.delete(proxyKey);
      }
    };
  }

  private notify(proxyKey: string, snapshot: Snapshot | undefined): void {
    for (const listener of [...(this.listeners.get(proxyKey) ?? [])]) {
      listener(snapshot);
    }
  }

  private intern(type: TypeSnapshot): TypeSnapshot {
    const key = `${type.typeUrl}\n${type.version}`;
    const existing = this.interned.get(key);
    if (existing !== undefined) {
      existing.refs += 1;
      return existing.type;
    }
    this.interned.set(key, { type, refs: 1 });
    return type;
  }

  private release(snapshot: Snapshot): void {
    for (const type of snapshot.types.values()) {
      const key = `${type.typeUrl}\n${type.version}`;
      const entry = this.interned.get(key);
      if (entry !== undefined) {
        entry.refs -= 1;
        if (entry.refs === 0) {
          this.interned.delete(key);
        }
      }
    }
  }
}

/**
 * Type URLs whose served version differs between two snapshots, sorted. An absent type is served as an empty set, so
 * dropping an empty type is no change; against no previous snapshot every type is new.
 */
export function changedTypeUrls(before: Snapshot | undefined, after: Snapshot): string[] {
  if (before === undefined) {
    return [...after.types.keys()].sort();
  }
  const urls = new Set([...before.types.keys(), ...after.types.keys()]);
  const version = (snapshot: Snapshot, url: string): string => typeSnapshotOf(snapshot, url).version;
  return [...urls].filter((url) => version(before, url) !== version(after, url)).sort();
}
