/**
 * Where the pipeline reads the world from: a {@link SnapshotSource} says when something changed (a full change, or
 * one that only moves endpoints) and reads the current {@link ResourceSnapshot} on demand. `aspen serve` reads a
 * directory ({@link directorySource}); `aspen controller` reads the cluster (provider/kubernetes). The runner treats
 * both alike: debounce, rebuild from current state, publish, keep the last good build.
 */
import { readManifests } from '../provider/file/manifests.js';
import type { LoadError } from '../provider/file/manifests.js';
import { buildSnapshot } from '../provider/file/snapshot.js';
import type { ResourceSnapshot } from '../provider/snapshot.js';
import type { ChangeWatcher } from './watcher.js';

/**
 * What changed: `full` needs a rebuild (translate everything); `endpoints` only moved EndpointSlices, which the
 * translation does not depend on, so only the endpoint fast path runs.
 */
export type SourceChange = 'full' | 'endpoints';

/** A read of the source: the snapshot, or why none can be built (all or nothing). */
export type SourceRead = { ok: true; snapshot: ResourceSnapshot } | { ok: false; problems: string[] };

/** A source of snapshots; see the module comment. */
export interface SnapshotSource {
  /** Starts watching; `onChange` is called for every change (possibly many per edit). */
  start(onChange: (change: SourceChange) => void): void;
  /** Stops watching; a pending {@link read} resolves (with problems). */
  close(): void;
  /** The current snapshot. A cluster source resolves only once every informer has synced. */
  read(): Promise<SourceRead>;
}

/** Where a directory source reads. */
export interface DirectorySourceOptions {
  /** The served directory. */
  readonly dir: string;
  /** Namespace of objects whose manifest names none. */
  readonly defaultNamespace: string;
}

/** `<file>:<line>: <message>`. */
function formatLoadError(error: LoadError): string {
  return `${error.file}:${error.line}: ${error.message}`;
}

/**
 * Reads a directory of manifests. Any usage error (the directory is gone), YAML error or snapshot problem
 * (duplicate objects, unreadable Secret entries) fails the read.
 */
export async function readDirectory(options: DirectorySourceOptions): Promise<SourceRead> {
  const read = await readManifests([options.dir]);
  const { snapshot, problems } = buildSnapshot(read.manifests, {
    defaultNamespace: options.defaultNamespace,
  });
  const failures = [...read.usageErrors, ...[...read.errors, ...problems].map(formatLoadError)];
  if (failures.length > 0) return { ok: false, problems: failures };
  return { ok: true, snapshot };
}

/** A directory of manifests watched by `watcher`: every change is a full change. */
export function directorySource(options: DirectorySourceOptions, watcher: ChangeWatcher): SnapshotSource {
  return {
    start: (onChange) => watcher.start(() => onChange('full')),
    close: () => watcher.close(),
    read: () => readDirectory(options),
  };
}
