/**
 * A reflector keeps one resource type's objects current: list, then watch from the list's resourceVersion, applying
 * each event to a store keyed `<namespace>/<name>`. It never stops on its own: a watch that ends cleanly (or times
 * out) is re-opened from the last resourceVersion seen (at once; after the initial backoff when watches keep ending
 * without events); a 410 Gone relists at once; any other error relists after
 * an exponential backoff (timers injected). ResourceVersions are opaque strings, only ever handed back to the API
 * server. A relist reports the objects that disappeared while it was not watching as deletions.
 */
import type { TimerHandle, Timers } from '../../serve/debounce.js';
import type { Logger } from '../../xds/server/types.js';
import type { WatchedKind } from './kinds.js';
import type { KubeTransport, RawObject, WatchHandle } from './transport.js';

/** A change to the store: `old` absent for additions, `object` absent for deletions. */
export interface StoreChange {
  /** `<namespace>/<name>` (`<name>` for cluster-scoped objects). */
  readonly key: string;
  /** The object before. */
  readonly old?: RawObject;
  /** The object after. */
  readonly object?: RawObject;
}

/** Backoff of failed lists and watches. */
export interface Backoff {
  /** First delay. */
  readonly initialMs: number;
  /** Largest delay. */
  readonly maxMs: number;
}

/** Default backoff: 1 s doubling to 30 s. */
export const DEFAULT_BACKOFF: Backoff = { initialMs: 1000, maxMs: 30_000 };

/** What a {@link Reflector} is built from. */
export interface ReflectorOptions {
  /** The type. */
  readonly kind: WatchedKind;
  /** List and watch. */
  readonly transport: KubeTransport;
  /** Backoff timers. */
  readonly timers: Timers;
  /** Where failures are logged. */
  readonly logger: Logger;
  /** Called for every store change (after the store changed). */
  readonly onChange: (change: StoreChange) => void;
  /** Called after every successful list (the first one makes the reflector synced). */
  readonly onSynced?: () => void;
  /** Backoff; default {@link DEFAULT_BACKOFF}. */
  readonly backoff?: Backoff;
}

/** The store key of an object. */
export function objectKey(object: RawObject): string {
  const meta = (object['metadata'] ?? {}) as { namespace?: string; name?: string };
  return meta.namespace === undefined || meta.namespace === ''
    ? (meta.name ?? '')
    : `${meta.namespace}/${meta.name ?? ''}`;
}

function resourceVersionOf(object: RawObject): string | undefined {
  const meta = object['metadata'] as { resourceVersion?: unknown } | undefined;
  return typeof meta?.resourceVersion === 'string' ? meta.resourceVersion : undefined;
}

function isGone(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as { statusCode?: unknown; code?: unknown };
  return e.statusCode === 410 || e.code === 410;
}

function isTimeout(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'TimeoutError';
}

function describe(error: unknown): string {
  if (typeof error === 'object' && error !== null) {
    const e = error as { statusCode?: unknown; code?: unknown; message?: unknown };
    const code = e.statusCode ?? e.code;
    if (typeof code === 'number') return `HTTP ${code}`;
    if (typeof e.message === 'string') return e.message;
  }
  return String(error);
}

/** See the module comment. */
export class Reflector {
  private readonly options: ReflectorOptions;
  private readonly store = new Map<string, RawObject>();
  private resourceVersion = '';
  private epoch = 0;
  private failures = 0;
  private gone = false;
  private sawEvent = false;
  private quietEnds = 0;
  private handle: WatchHandle | undefined;
  private timer: TimerHandle | undefined;
  private stopped = true;
  private isSynced = false;
  private listCount = 0;

  /** An idle reflector; nothing is read before {@link start}. */
  constructor(options: ReflectorOptions) {
    this.options = options;
  }

  /** Whether a list has succeeded. */
  get synced(): boolean {
    return this.isSynced;
  }

  /** How many lists succeeded (1 after the initial sync; more after relists). */
  get lists(): number {
    return this.listCount;
  }

  /** The stored objects (do not modify). */
  objects(): IterableIterator<RawObject> {
    return this.store.values();
  }

  /** One stored object. */
  get(key: string): RawObject | undefined {
    return this.store.get(key);
  }

  /** Starts listing and watching. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    void this.cycle();
  }

  /** Stops: the watch is aborted, no retry is scheduled. The store keeps its objects. */
  stop(): void {
    this.stopped = true;
    this.epoch += 1;
    if (this.timer !== undefined) this.options.timers.clearTimeout(this.timer);
    this.timer = undefined;
    this.handle?.abort();
    this.handle = undefined;
  }

  private async cycle(): Promise<void> {
    if (this.stopped) return;
    this.epoch += 1;
    const epoch = this.epoch;
    this.gone = false;
    this.sawEvent = false;
    try {
      if (this.resourceVersion === '') await this.relist(epoch);
      if (epoch !== this.epoch) return;
      const handle = await this.options.transport.watch(
        this.options.kind,
        this.resourceVersion,
        (type, object) => this.event(epoch, type, object),
        (error) => this.ended(epoch, error),
      );
      if (epoch === this.epoch) this.handle = handle;
      else handle.abort();
    } catch (error) {
      this.ended(epoch, error);
    }
  }

  private async relist(epoch: number): Promise<void> {
    const listed = await this.options.transport.list(this.options.kind);
    if (epoch !== this.epoch) return;
    const fresh = new Map(listed.items.map((object) => [objectKey(object), object]));
    const changes: StoreChange[] = [];
    for (const [key, old] of this.store) {
      if (!fresh.has(key)) changes.push({ key, old });
    }
    for (const [key, object] of fresh) {
      const old = this.store.get(key);
      if (old === undefined || resourceVersionOf(old) !== resourceVersionOf(object))
        changes.push({ key, old, object });
    }
    this.store.clear();
    for (const [key, object] of fresh) this.store.set(key, object);
    this.resourceVersion = listed.resourceVersion;
    this.failures = 0;
    this.listCount += 1;
    for (const change of changes) this.options.onChange(change);
    this.isSynced = true;
    this.options.onSynced?.();
  }

  private event(epoch: number, type: string, object: RawObject): void {
    if (epoch !== this.epoch) return;
    if (type === 'ERROR') {
      if (object['code'] === 410) this.gone = true;
      return;
    }
    const version = resourceVersionOf(object);
    if (type === 'ADDED' || type === 'MODIFIED') this.upsert(object);
    else if (type === 'DELETED') this.remove(object);
    if (version !== undefined) this.resourceVersion = version;
    if (type !== 'BOOKMARK') this.sawEvent = true;
    this.failures = 0;
  }

  private upsert(object: RawObject): void {
    const key = objectKey(object);
    const old = this.store.get(key);
    this.store.set(key, object);
    this.options.onChange({ key, old, object });
  }

  private remove(object: RawObject): void {
    const key = objectKey(object);
    const old = this.store.get(key) ?? object;
    this.store.delete(key);
    this.options.onChange({ key, old });
  }

  /** A list or watch ended: decide how and when to go on (never give up). */
  private ended(epoch: number, error: unknown): void {
    if (epoch !== this.epoch || this.stopped) return;
    this.epoch += 1;
    this.handle = undefined;
    this.schedule(this.nextDelay(error));
  }

  /** How long to wait before the next cycle, resetting the resourceVersion when a relist is due. */
  private nextDelay(error: unknown): number {
    const kind = this.options.kind.kind;
    if (this.gone || isGone(error)) {
      this.options.logger.info({ kind }, 'watch expired (410 Gone); relisting');
      this.resourceVersion = '';
      return 0;
    }
    if (error !== null && error !== undefined && !isTimeout(error)) {
      this.failures += 1;
      const delay = this.backoffMs();
      this.options.logger.warn(
        { kind, error: describe(error), retryInMs: delay },
        'list/watch failed; relisting after backoff',
      );
      this.resourceVersion = '';
      return delay;
    }
    // client-node's inactivity timeout (30 s without data) is expected on quiet kinds: re-watch at once.
    if (isTimeout(error)) return 0;
    // A clean end re-watches at once, unless watches keep ending without any event.
    this.quietEnds = this.sawEvent ? 0 : this.quietEnds + 1;
    return this.quietEnds > 1 ? (this.options.backoff ?? DEFAULT_BACKOFF).initialMs : 0;
  }

  private backoffMs(): number {
    const { initialMs, maxMs } = this.options.backoff ?? DEFAULT_BACKOFF;
    return Math.min(maxMs, initialMs * 2 ** Math.max(0, this.failures - 1));
  }

  private schedule(delay: number): void {
    if (delay === 0) {
      void this.cycle();
      return;
    }
    this.timer = this.options.timers.setTimeout(() => {
      this.timer = undefined;
      void this.cycle();
    }, delay);
  }
}
