/**
 * How preparing a policy reads the snapshot: workloads by namespace, the Namespaces, and Secrets/ConfigMaps by name,
 * through one narrow interface, so that (1) a translation looks things up in an index instead of scanning every
 * list, and (2) the translate memo (memo.ts) can record exactly what one policy read and key its memo on it.
 */
import type { DataObject, Namespace, ResourceSnapshot, Workload } from '../provider/snapshot.js';

/** The kinds of data object a policy references. */
export type DataKind = 'Secret' | 'ConfigMap';

/** The snapshot reads of policy preparation (refs, compile, coverage). */
export interface SnapshotReader {
  /** The workloads of one namespace, in snapshot order. */
  workloadsIn(namespace: string): readonly Workload[];
  /** Every Namespace, in snapshot order. */
  namespaces(): readonly Namespace[];
  /** The first Secret or ConfigMap of the snapshot with this namespace and name. */
  dataObject(kind: DataKind, namespace: string, name: string): DataObject | undefined;
}

/** Names one read of a {@link SnapshotReader}: what the memo fingerprints. */
export type ReadKey = string;

/** The read key of `workloadsIn(namespace)`. */
export function workloadsKey(namespace: string): ReadKey {
  return `w\0${namespace}`;
}

/** The read key of `namespaces()`. */
export const NAMESPACES_KEY: ReadKey = 'n';

/** The read key of `dataObject(kind, namespace, name)`. */
export function dataKey(kind: DataKind, namespace: string, name: string): ReadKey {
  return `${kind === 'Secret' ? 's' : 'c'}\0${namespace}\0${name}`;
}

function firstByName(objects: readonly DataObject[]): Map<string, DataObject> {
  const out = new Map<string, DataObject>();
  for (const o of objects) {
    const key = `${o.namespace}\0${o.name}`;
    if (!out.has(key)) out.set(key, o);
  }
  return out;
}

/** JSON of a value, possibly cached per object (see TranslateMemo). */
export type JsonOf = (value: object) => string;

/** A snapshot indexed for the reads of {@link SnapshotReader}; indexes are built on first use. */
export class SnapshotIndex implements SnapshotReader {
  private byNamespace: Map<string, Workload[]> | undefined;
  private positions: Map<Workload, number> | undefined;
  private readonly data = new Map<DataKind, Map<string, DataObject>>();
  private readonly prints = new Map<ReadKey, string>();

  /** Indexes `snapshot`; `json` serialises objects for {@link fingerprint}. */
  constructor(
    readonly snapshot: ResourceSnapshot,
    private readonly json: JsonOf = (value) => JSON.stringify(value),
  ) {}

  workloadsIn(namespace: string): readonly Workload[] {
    return this.workloadIndex().get(namespace) ?? [];
  }

  /** The namespaces that have workloads, sorted. */
  workloadNamespaces(): string[] {
    return [...this.workloadIndex().keys()].sort();
  }

  /** Where a workload of the snapshot is in `workloadsIn(its namespace)`. */
  positionOf(workload: Workload): number | undefined {
    if (this.positions === undefined) {
      this.positions = new Map();
      for (const list of this.workloadIndex().values()) list.forEach((w, i) => this.positions?.set(w, i));
    }
    return this.positions.get(workload);
  }

  private workloadIndex(): Map<string, Workload[]> {
    if (this.byNamespace === undefined) {
      this.byNamespace = new Map();
      for (const w of this.snapshot.workloads) {
        const list = this.byNamespace.get(w.namespace);
        if (list === undefined) this.byNamespace.set(w.namespace, [w]);
        else list.push(w);
      }
    }
    return this.byNamespace;
  }

  namespaces(): readonly Namespace[] {
    return this.snapshot.namespaces;
  }

  dataObject(kind: DataKind, namespace: string, name: string): DataObject | undefined {
    let index = this.data.get(kind);
    if (index === undefined) {
      index = firstByName(kind === 'Secret' ? this.snapshot.secrets : this.snapshot.configMaps);
      this.data.set(kind, index);
    }
    return index.get(`${namespace}\0${name}`);
  }

  /**
   * The content behind one read key, as a string: equal strings mean the read returns equal values. Workloads and
   * Namespaces as their whole JSON (a superset of the fields read), a data object as the JSON of its data.
   */
  fingerprint(read: ReadKey): string {
    let print = this.prints.get(read);
    if (print === undefined) {
      print = this.computeFingerprint(read);
      this.prints.set(read, print);
    }
    return print;
  }

  private computeFingerprint(read: ReadKey): string {
    const [kind, namespace = '', name = ''] = read.split('\0');
    if (kind === 'w')
      return this.workloadsIn(namespace)
        .map((w) => this.json(w))
        .join('\n');
    if (kind === 'n') return this.json(this.snapshot.namespaces);
    const found = this.dataObject(kind === 's' ? 'Secret' : 'ConfigMap', namespace, name);
    return found === undefined ? '\0missing' : this.json(found.data);
  }
}

/** A reader that records every read key, for the memo. */
export class RecordingReader implements SnapshotReader {
  /** The keys read so far. */
  readonly reads = new Set<ReadKey>();

  constructor(private readonly inner: SnapshotReader) {}

  workloadsIn(namespace: string): readonly Workload[] {
    this.reads.add(workloadsKey(namespace));
    return this.inner.workloadsIn(namespace);
  }

  namespaces(): readonly Namespace[] {
    this.reads.add(NAMESPACES_KEY);
    return this.inner.namespaces();
  }

  dataObject(kind: DataKind, namespace: string, name: string): DataObject | undefined {
    this.reads.add(dataKey(kind, namespace, name));
    return this.inner.dataObject(kind, namespace, name);
  }
}
