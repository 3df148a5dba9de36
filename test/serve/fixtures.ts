// Shared pieces of the serve tests: fake timers and clock, a temp copy of examples/, a recording logger, and a
// runner wired to a manual watcher.
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PipelineRunner } from '../../src/serve/runner.js';
import type { BuildReport, RunnerOptions } from '../../src/serve/runner.js';
import type { TimerHandle, Timers } from '../../src/serve/debounce.js';
import { ManualWatcher } from '../../src/serve/watcher.js';
import { SnapshotCache } from '../../src/xds/cache/cache.js';
import type { Clock, LogFields, Logger } from '../../src/xds/server/types.js';
import { defaultXdsConfig } from '../../src/xds/translate/config.js';

export const LDS = 'type.googleapis.com/envoy.config.listener.v3.Listener';
export const RDS = 'type.googleapis.com/envoy.config.route.v3.RouteConfiguration';
export const CDS = 'type.googleapis.com/envoy.config.cluster.v3.Cluster';

/** Timers and a clock that move only when the test says so. */
export class FakeTimers implements Timers, Clock {
  private time: number;
  private nextId = 0;
  private readonly pending = new Map<number, { at: number; callback: () => void }>();

  /** Starts at `start` (epoch ms): a fixed date by default; TLS tests start at the real time so peers verify. */
  constructor(start = Date.parse('2026-11-28T12:00:00Z')) {
    this.time = start;
  }

  setTimeout(callback: () => void, ms: number): TimerHandle {
    this.nextId += 1;
    this.pending.set(this.nextId, { at: this.time + ms, callback });
    return { id: this.nextId };
  }

  clearTimeout(handle: TimerHandle): void {
    this.pending.delete((handle as { id: number }).id);
  }

  now(): Date {
    return new Date(this.time);
  }

  /** Timers waiting. */
  get waiting(): number {
    return this.pending.size;
  }

  /** Moves time forward, firing due timers in order. */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      const due = [...this.pending.entries()]
        .filter(([, t]) => t.at <= end)
        .sort((a, b) => a[1].at - b[1].at || a[0] - b[0])[0];
      if (due === undefined) break;
      this.pending.delete(due[0]);
      this.time = due[1].at;
      due[1].callback();
    }
    this.time = end;
  }
}

/** One recorded log line. */
export interface LogLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  fields: LogFields;
  message: string;
}

/** A logger that keeps every line (bindings merged into the fields). */
export function recordingLogger(lines: LogLine[], bindings: LogFields = {}): Logger {
  const at =
    (level: LogLine['level']) =>
    (fields: LogFields, message: string): void => {
      lines.push({ level, fields: { ...bindings, ...fields }, message });
    };
  return {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: (more) => recordingLogger(lines, { ...bindings, ...more }),
  };
}

/** A temp directory holding a copy of examples/; remove it with `rm`. */
export async function copyExamples(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'aspen-serve-'));
  await cp('examples', dir, { recursive: true });
  return dir;
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/** A runner over `dir` with a manual watcher, fake timers and a recording logger. */
export interface TestRunner {
  runner: PipelineRunner;
  cache: SnapshotCache;
  watcher: ManualWatcher;
  timers: FakeTimers;
  logs: LogLine[];
  reports: BuildReport[];
}

export function testRunner(dir: string, overrides: Partial<RunnerOptions> = {}): TestRunner {
  const cache = new SnapshotCache();
  const watcher = new ManualWatcher();
  const timers = new FakeTimers();
  const logs: LogLine[] = [];
  const reports: BuildReport[] = [];
  const runner = new PipelineRunner({
    settings: { dir, defaultNamespace: 'default', trustDomain: 'cluster.local', xds: defaultXdsConfig() },
    cache,
    watcher,
    timers,
    clock: timers,
    logger: recordingLogger(logs),
    onBuilt: (report) => reports.push(report),
    ...overrides,
  });
  return { runner, cache, watcher, timers, logs, reports };
}

/** Per proxy key, per type URL, the version served. */
export function versions(cache: SnapshotCache): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  for (const key of cache.proxyKeys()) {
    const snapshot = cache.getSnapshot(key);
    const types = [...(snapshot?.types.values() ?? [])];
    out[key] = Object.fromEntries(types.map((type) => [type.typeUrl, type.version]));
  }
  return out;
}

/** A change reported by the watcher, the quiet period elapsed, and the rebuild finished. */
export async function changeAndRebuild(t: TestRunner): Promise<void> {
  t.watcher.change();
  t.timers.advance(200);
  await t.runner.settled();
}
