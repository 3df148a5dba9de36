/** `aspen serve`: a standalone control plane fed by a directory (pipeline runner, ADS, health, metrics). */
export { formatListenAddress, isLoopback, parseListenAddress } from './address.js';
export type { ListenAddress } from './address.js';
export { startServe } from './app.js';
export type { ServeApp, ServeDeps, ServeOptions } from './app.js';
export { SDS_SECRETS, buildProxy, defaultStages, encodeResources, loadDirectory } from './build.js';
export type { BuildSettings, LoadOutcome, ProxyBuild, ProxyStages } from './build.js';
export { DEFAULT_MAX_DELAY_MS, DEFAULT_QUIET_MS, Debouncer, systemTimers } from './debounce.js';
export type { DebounceOptions, TimerHandle, Timers } from './debounce.js';
export { ServeMetrics, typeLabel } from './metrics.js';
export { PipelineRunner } from './runner.js';
export type { BuildOutcome, BuildReport, BuildStatus, RunnerOptions } from './runner.js';
export { ManualWatcher, directoryWatcher, isRelevantPath } from './watcher.js';
export type { ChangeWatcher } from './watcher.js';
