/**
 * `aspen serve --dir <path>`: a standalone control plane fed by a directory. Checks the flags (exit 2 on a usage
 * error), starts the serve app, and runs until SIGINT or SIGTERM (exit 0) or until serving fails (exit 1).
 */
import { readFile, stat } from 'node:fs/promises';
import { Registry } from 'prom-client';
import { newCaState } from '../ca/state.js';
import type { CaState } from '../ca/types.js';
import { caFromPem } from '../ca/pem.js';
import { createLogger, isLogLevel, LOG_LEVELS } from '../log.js';
import { isLoopback, parseListenAddress } from '../serve/address.js';
import type { ListenAddress } from '../serve/address.js';
import { startServe } from '../serve/app.js';
import type { ServeApp, ServeOptions } from '../serve/app.js';
import { parseEnvoyVersionRange } from '../serve/envoy-version.js';
import type { EnvoyVersionRange } from '../serve/envoy-version.js';
import { DEFAULT_XDS_DNS_NAMES } from '../serve/tls.js';
import { defaultXdsConfig } from '../xds/translate/config.js';
import type { XdsTranslateConfig } from '../xds/translate/config.js';
import { adminAddressProblem } from '../serve/admin.js';
import { ExitCode, type CliIO } from './io.js';

/** Options of `aspen serve`, as parsed. */
export interface ServeCliOptions {
  /** The directory of manifests. */
  dir: string;
  /** ADS address; default 127.0.0.1:15010. */
  xdsListen?: string;
  /** Plaintext xDS (loopback only). */
  xdsInsecure?: boolean;
  /** DNS SANs of the serving certificate (repeatable). */
  xdsDnsName?: string[];
  /** PEM file of the workload CA certificate (with `caKey`). */
  caCert?: string;
  /** PEM file of the workload CA private key (with `caCert`). */
  caKey?: string;
  /** Where to write the trust bundle at start-up. */
  trustBundleOut?: string;
  /** Supported Envoy versions, `<major.minor>-<major.minor>`. */
  supportedEnvoy: string;
  /** Health endpoints address. */
  healthListen: string;
  /** Metrics endpoint address. */
  metricsListen: string;
  /** SPIFFE trust domain. */
  trustDomain: string;
  /** Log level. */
  logLevel: string;
  /** Namespace for objects that have none. */
  namespace: string;
  /** The per-request services (API-key check, rate limits, access log); `off` disables. */
  dataplaneListen?: string;
  /** The loopback-only admin endpoint read by `aspen status --serve`; `off` disables. */
  adminListen?: string;
}

/** Default dataplane address of `aspen serve` (loopback; mTLS). */
export const DEFAULT_SERVE_DATAPLANE_LISTEN = '127.0.0.1:15020';
/** Default admin address of `aspen serve` (loopback only). */
export const DEFAULT_SERVE_ADMIN_LISTEN = '127.0.0.1:15030';

/** The process around a serve run, injectable for tests. */
export interface ServeRuntime {
  /** Resolves with the signal name when the process must shut down. */
  shutdown: Promise<string>;
  /** Whether logs go to a terminal (pretty lines instead of JSON). */
  stderrIsTTY: boolean;
  /** Called once the app is started (tests read its ports). */
  onStarted?: (app: ServeApp) => void;
}

/** Default ADS address (TLS or plaintext). */
export const DEFAULT_XDS_LISTEN = '127.0.0.1:15010';

/** SIGINT/SIGTERM of this process; whichever comes first. */
export function processRuntime(): ServeRuntime {
  const shutdown = new Promise<string>((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  return { shutdown, stderrIsTTY: process.stderr.isTTY === true };
}

/** The serve options from the flags, or the usage error messages. */
async function resolveOptions(options: ServeCliOptions): Promise<ServeOptions | string[]> {
  const errors: string[] = [];
  const address = (flag: string, text: string): ListenAddress => {
    const parsed = parseListenAddress(text);
    if (typeof parsed === 'string') errors.push(`${flag}: ${parsed}`);
    return typeof parsed === 'string' ? { host: '', port: 0 } : parsed;
  };
  const xdsListen = address('--xds-listen', options.xdsListen ?? DEFAULT_XDS_LISTEN);
  const healthListen = address('--health-listen', options.healthListen);
  const metricsListen = address('--metrics-listen', options.metricsListen);
  const insecure = options.xdsInsecure === true;
  if (insecure) checkLoopback(xdsListen, errors);
  const { ca, supportedEnvoy } = await checkOtherFlags(options, errors);
  const extras = extraAddresses(options, address, errors);
  if (errors.length > 0 || supportedEnvoy === undefined) return errors;
  return {
    dir: options.dir,
    defaultNamespace: options.namespace,
    trustDomain: options.trustDomain,
    xds: withServeDataplane(defaultXdsConfig(options.trustDomain), extras.dataplaneListen),
    ...extras,
    xdsListen,
    xdsInsecure: insecure,
    xdsDnsNames: options.xdsDnsName ?? DEFAULT_XDS_DNS_NAMES,
    ...(ca === undefined ? {} : { ca }),
    ...(options.trustBundleOut === undefined ? {} : { trustBundleOut: options.trustBundleOut }),
    supportedEnvoy,
    healthListen,
    metricsListen,
  };
}

/** `--dataplane-listen` and `--admin-listen` (`off` disables either; the admin endpoint is loopback only). */
function extraAddresses(
  options: ServeCliOptions,
  address: (flag: string, text: string) => ListenAddress,
  errors: string[],
): Pick<ServeOptions, 'dataplaneListen' | 'adminListen'> {
  const out: Pick<ServeOptions, 'dataplaneListen' | 'adminListen'> = {};
  const dataplane = options.dataplaneListen ?? DEFAULT_SERVE_DATAPLANE_LISTEN;
  if (dataplane !== 'off') out.dataplaneListen = address('--dataplane-listen', dataplane);
  const admin = options.adminListen ?? DEFAULT_SERVE_ADMIN_LISTEN;
  if (admin === 'off') return out;
  out.adminListen = address('--admin-listen', admin);
  const problem = out.adminListen.host === '' ? undefined : adminAddressProblem(out.adminListen);
  if (problem !== undefined) errors.push(`--admin-listen: ${problem}`);
  return out;
}

/** Sidecars of a serve run reach its own dataplane (a wildcard bind is reached as localhost). */
function withServeDataplane(xds: XdsTranslateConfig, listen: ListenAddress | undefined): XdsTranslateConfig {
  if (listen === undefined || listen.host === '') return xds;
  const wildcard = listen.host === '0.0.0.0' || listen.host === '::';
  return { ...xds, dataplane: { host: wildcard ? 'localhost' : listen.host, port: listen.port } };
}

/** The log level, directory, CA and Envoy range flags; problems go to `errors`. */
async function checkOtherFlags(
  options: ServeCliOptions,
  errors: string[],
): Promise<{ ca: CaState | undefined; supportedEnvoy: EnvoyVersionRange | undefined }> {
  if (!isLogLevel(options.logLevel)) errors.push(`--log-level must be one of: ${LOG_LEVELS.join(', ')}`);
  if (!(await isDirectory(options.dir))) errors.push(`--dir ${options.dir}: not a readable directory`);
  const ca = await loadCa(options, errors);
  const range = parseEnvoyVersionRange(options.supportedEnvoy);
  if (typeof range === 'string') errors.push(`--supported-envoy: ${range}`);
  return { ca, supportedEnvoy: typeof range === 'string' ? undefined : range };
}

/** `--xds-insecure` serves plaintext on loopback only (a TLS port may listen anywhere). */
function checkLoopback(xdsListen: ListenAddress, errors: string[]): void {
  if (xdsListen.host === '' || isLoopback(xdsListen.host)) return;
  errors.push(
    `--xds-insecure serves plaintext and only on a loopback address (127.0.0.0/8, ::1, localhost), not ${xdsListen.host}`,
  );
}

/** The CA from `--ca-cert`/`--ca-key` (both or neither), or undefined; problems go to `errors` (never key text). */
async function loadCa(options: ServeCliOptions, errors: string[]): Promise<CaState | undefined> {
  if (options.caCert === undefined && options.caKey === undefined) return undefined;
  if (options.caCert === undefined || options.caKey === undefined) {
    errors.push('--ca-cert and --ca-key go together');
    return undefined;
  }
  const read = async (flag: string, path: string): Promise<string | undefined> => {
    try {
      return await readFile(path, 'utf8');
    } catch {
      errors.push(`${flag} ${path}: not a readable file`);
      return undefined;
    }
  };
  const certPem = await read('--ca-cert', options.caCert);
  const keyPem = await read('--ca-key', options.caKey);
  if (certPem === undefined || keyPem === undefined) return undefined;
  const signer = await caFromPem(certPem, keyPem, { trustDomain: options.trustDomain });
  if (!signer.ok) {
    errors.push(`--ca-cert/--ca-key: ${signer.error.message}`);
    return undefined;
  }
  return newCaState(signer.value);
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

/** Runs `aspen serve` until shutdown (SIGINT/SIGTERM unless a test runtime is given); returns the exit code. */
export async function runServe(
  options: ServeCliOptions,
  io: CliIO,
  processRuntimeOrTest?: ServeRuntime,
): Promise<number> {
  const resolved = await resolveOptions(options);
  if (Array.isArray(resolved)) {
    for (const message of resolved) io.stderr(`aspen serve: ${message}\n`);
    return ExitCode.Usage;
  }
  const runtime = processRuntimeOrTest ?? processRuntime();
  const logLevel = isLogLevel(options.logLevel) ? options.logLevel : 'info';
  const logger = createLogger({ level: logLevel, pretty: runtime.stderrIsTTY, write: io.stderr });
  let app: ServeApp;
  try {
    app = await startServe(resolved, { logger, registry: new Registry() });
  } catch (error) {
    logger.error({ err: error }, 'aspen serve could not start');
    return ExitCode.Problems;
  }
  runtime.onStarted?.(app);
  const outcome = await Promise.race([
    runtime.shutdown.then((signal) => ({ signal })),
    app.fatal.then((error) => ({ error })),
  ]);
  if ('signal' in outcome) logger.info({ signal: outcome.signal }, 'shutting down');
  await app.close();
  return 'error' in outcome ? ExitCode.Problems : ExitCode.Ok;
}
