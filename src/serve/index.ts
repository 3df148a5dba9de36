/**
 * `aspen serve`: a standalone control plane fed by a directory (pipeline runner, ADS with TLS and SDS, health,
 * metrics).
 */
export { formatListenAddress, isLoopback, parseListenAddress } from './address.js';
export type { ListenAddress } from './address.js';
export { startServe } from './app.js';
export type { ServeApp, ServeDeps, ServeOptions } from './app.js';
export {
  SDS_SECRETS,
  buildProxy,
  defaultStages,
  encodeResources,
  loadDirectory,
  translateRead,
  translateSnapshot,
  withSecrets,
} from './build.js';
export type { BuildSettings, LoadOutcome, ProxyBuild, ProxyStages, TranslateSettings } from './build.js';
export { directorySource, readDirectory } from './source.js';
export type { DirectorySourceOptions, SnapshotSource, SourceChange, SourceRead } from './source.js';
export { DEFAULT_MAX_DELAY_MS, DEFAULT_QUIET_MS, Debouncer, systemTimers } from './debounce.js';
export type { DebounceOptions, TimerHandle, Timers } from './debounce.js';
export { resolveServeCa } from './ca.js';
export type { ServeCaOptions } from './ca.js';
export {
  DEFAULT_SUPPORTED_ENVOY,
  EnvoyVersions,
  envoyVersionOf,
  isSupportedEnvoy,
  parseEnvoyVersionRange,
  withEnvoyVersions,
} from './envoy-version.js';
export type { EnvoyVersionRange } from './envoy-version.js';
export { ServeMetrics, typeLabel } from './metrics.js';
export { WorkloadSecrets } from './secrets.js';
export type { SecretSource, WorkloadSecretsOptions } from './secrets.js';
export { DEFAULT_XDS_DNS_NAMES, MemoryCertificateProvider, ServingTls, servingRenewDelay } from './tls.js';
export type { ServingTlsOptions } from './tls.js';
export { PipelineRunner } from './runner.js';
export type { BuildOutcome, BuildReport, BuildStatus, RunnerOptions, RunnerSettings } from './runner.js';
export { ManualWatcher, directoryWatcher, isRelevantPath } from './watcher.js';
export type { ChangeWatcher } from './watcher.js';
