/**
 * The Kubernetes provider as a pipeline {@link SnapshotSource}: one {@link Reflector} per watched type; a read waits
 * until every reflector has synced (nothing is published before), then builds the snapshot from the stores. Changes
 * are classified: EndpointSlice changes are endpoint-only (fast path); pod changes that move nothing a workload is
 * made of (status, IPs) and changes to Secrets/ConfigMaps no policy references are ignored; the rest are full.
 * Nothing is reported before every type has synced: the first read, which waits for that, covers those changes.
 */
import { podFields } from '../file/workloads.js';
import type { SnapshotSource, SourceChange, SourceRead } from '../../serve/source.js';
import type { Timers } from '../../serve/debounce.js';
import type { Logger } from '../../xds/server/types.js';
import type { WorkloadIdentity } from '../../ca/types.js';
import { WATCHED_KINDS } from './kinds.js';
import type { KindName, WatchedKind } from './kinds.js';
import { Reflector } from './reflector.js';
import type { Backoff, StoreChange } from './reflector.js';
import { clusterSnapshot, isReferenced, referencedNames } from './snapshot.js';
import type { ClusterObjects } from './snapshot.js';
import type { KubeTransport, RawObject } from './transport.js';
import { groupPods, isLive, podWorkload } from './workloads.js';

/** What a {@link KubernetesSource} is built from. */
export interface KubernetesSourceOptions {
  /** List and watch (client-node in the controller). */
  readonly transport: KubeTransport;
  /** Backoff timers. */
  readonly timers: Timers;
  /** Where list/watch failures are logged. */
  readonly logger: Logger;
  /** Backoff of failed lists and watches (default 1 s doubling to 30 s). */
  readonly backoff?: Backoff;
  /** Watched types (default every type in kinds.ts). */
  readonly kinds?: readonly WatchedKind[];
}

/** What about a pod matters to its workload's configuration. */
function podFingerprint(pod: RawObject | undefined): string {
  if (pod === undefined || !isLive(pod)) return '';
  const meta = (pod['metadata'] ?? {}) as { namespace?: string; name?: string };
  return JSON.stringify([meta.namespace, meta.name, podWorkload(pod), podFields(pod)]);
}

/** See the module comment. */
export class KubernetesSource implements SnapshotSource {
  private readonly options: KubernetesSourceOptions;
  private readonly reflectors = new Map<KindName, Reflector>();
  private onChange: (change: SourceChange) => void = () => undefined;
  private waiters: Array<() => void> = [];
  private closed = false;

  /** An idle source; nothing is read before {@link start}. */
  constructor(options: KubernetesSourceOptions) {
    this.options = options;
    for (const kind of options.kinds ?? WATCHED_KINDS) {
      this.reflectors.set(
        kind.name,
        new Reflector({
          kind,
          transport: options.transport,
          timers: options.timers,
          logger: options.logger.child({ component: 'informer', kind: kind.kind }),
          backoff: options.backoff,
          onChange: (change) => this.changed(kind.name, change),
          onSynced: () => this.wake(),
        }),
      );
    }
  }

  /** Whether every reflector has synced. */
  get synced(): boolean {
    return [...this.reflectors.values()].every((r) => r.synced);
  }

  /** Whether each type has synced. */
  syncedKinds(): Record<string, boolean> {
    return Object.fromEntries([...this.reflectors].map(([name, r]) => [name, r.synced]));
  }

  /** Successful lists per type (1 each after the initial sync; more after relists). */
  lists(): Record<string, number> {
    return Object.fromEntries([...this.reflectors].map(([name, r]) => [name, r.lists]));
  }

  /** Starts every reflector. */
  start(onChange: (change: SourceChange) => void): void {
    this.onChange = onChange;
    for (const reflector of this.reflectors.values()) reflector.start();
  }

  /** Stops every reflector; a waiting read resolves with a problem. */
  close(): void {
    this.closed = true;
    for (const reflector of this.reflectors.values()) reflector.stop();
    this.wake();
  }

  /** Resolves once every reflector has synced (or the source closed). */
  async whenSynced(): Promise<void> {
    while (!this.synced && !this.closed) await new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  /** The current snapshot, once every reflector has synced. */
  async read(): Promise<SourceRead> {
    await this.whenSynced();
    if (this.closed && !this.synced)
      return { ok: false, problems: ['the Kubernetes provider stopped before it synced'] };
    return { ok: true, snapshot: clusterSnapshot(this.objects()) };
  }

  /** The ServiceAccount a workload (`<namespace>/<workload>`) runs as, from its live pods (newest pod). */
  serviceAccountOf(proxyKey: string): WorkloadIdentity | undefined {
    const group = groupPods(this.store('pods')).find((g) => `${g.namespace}/${g.workload.name}` === proxyKey);
    if (group === undefined) return undefined;
    const fields = podFields({ ...group.representative, apiVersion: 'v1', kind: 'Pod' });
    return fields === undefined
      ? undefined
      : { namespace: group.namespace, serviceAccount: fields.serviceAccount };
  }

  /** The stored objects of one type (empty when it is not watched). */
  store(name: KindName): RawObject[] {
    return [...(this.reflectors.get(name)?.objects() ?? [])];
  }

  private objects(): ClusterObjects {
    const of = (name: KindName): RawObject[] => this.store(name);
    return {
      policies: of('policies'),
      pods: of('pods'),
      services: of('services'),
      endpointSlices: of('endpointSlices'),
      namespaces: of('namespaces'),
      secrets: of('secrets'),
      configMaps: of('configMaps'),
    };
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }

  private changed(name: KindName, change: StoreChange): void {
    // Until every type has synced, the first read (which waits for that) covers every change.
    if (!this.synced) return;
    const kind = this.classify(name, change);
    if (kind !== undefined) this.onChange(kind);
  }

  private classify(name: KindName, change: StoreChange): SourceChange | undefined {
    switch (name) {
      case 'endpointSlices':
        return 'endpoints';
      case 'pods':
        return podFingerprint(change.old) === podFingerprint(change.object) ? undefined : 'full';
      case 'secrets':
      case 'configMaps': {
        const referenced = referencedNames(this.store('policies'));
        const objects = [change.old, change.object].filter((o) => o !== undefined);
        return objects.some((o) => isReferenced(o, referenced)) ? 'full' : undefined;
      }
      default:
        return 'full';
    }
  }
}
