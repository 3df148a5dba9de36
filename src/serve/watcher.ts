/**
 * Watching the served directory: a {@link ChangeWatcher} only says "something changed" (the pipeline rebuilds from
 * the directory's current state, it never applies individual events). The fs implementation uses recursive
 * `fs.watch`; tests pass a {@link ManualWatcher}.
 */
import { watch } from 'node:fs';
import type { FSWatcher } from 'node:fs';
import type { Logger } from '../xds/server/types.js';

/** Reports changes under a directory. */
export interface ChangeWatcher {
  /** Starts watching; `onChange` is called for every change (possibly many times per edit). */
  start(onChange: () => void): void;
  /** Stops watching; harmless when not started. */
  close(): void;
}

/** Whether a changed path (relative to the directory) can matter: hidden entries and node_modules are not read. */
export function isRelevantPath(relative: string | null): boolean {
  if (relative === null) return true;
  return !relative.split(/[\\/]/).some((segment) => segment.startsWith('.') || segment === 'node_modules');
}

/** Watches `dir` recursively with `fs.watch`; watcher errors are logged (the next change still rebuilds). */
export function directoryWatcher(dir: string, logger: Logger): ChangeWatcher {
  let watcher: FSWatcher | undefined;
  return {
    start(onChange: () => void): void {
      watcher = watch(dir, { recursive: true, persistent: true }, (_event, filename) => {
        if (isRelevantPath(filename)) onChange();
      });
      watcher.on('error', (error: unknown) => {
        logger.error({ err: error, dir }, 'directory watch failed');
      });
    },
    close(): void {
      watcher?.close();
      watcher = undefined;
    },
  };
}

/** A watcher driven by hand (tests, or an embedding that knows when files change). */
export class ManualWatcher implements ChangeWatcher {
  private listener: (() => void) | undefined;

  /** Remembers the listener. */
  start(onChange: () => void): void {
    this.listener = onChange;
  }

  /** Forgets the listener. */
  close(): void {
    this.listener = undefined;
  }

  /** Reports a change, as the file system would. */
  change(): void {
    this.listener?.();
  }
}
