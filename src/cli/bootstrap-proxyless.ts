/**
 * `aspen bootstrap --proxyless`: the gRPC xDS bootstrap of a proxyless workload. Without `--out-dir` it prints the
 * bootstrap (certificate paths under `--cert-dir`); with `--out-dir` it writes `bootstrap.json` and the certificate
 * files (the workload's SVID, its key, the trust bundle) there — issued by the CA given by `--ca-cert`/`--ca-key`, or
 * else fetched from aspen's SDS (TLS with `--trust-bundle` and the `--token-path` token in a cluster; plaintext with
 * `--xds-insecure` against a loopback `aspen serve`) — and with `--refresh` keeps running, renewing them before they
 * expire, until SIGINT/SIGTERM. Key material is written to `key.pem` only
 * (mode 0600), never printed or logged.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { caFromPem } from '../ca/pem.js';
import { newCaState } from '../ca/state.js';
import type { CaState } from '../ca/types.js';
import { createLogger } from '../log.js';
import { DEFAULT_PROXYLESS_DIR, ProxylessFiles, grpcBootstrap } from '../proxyless/bootstrap.js';
import { localCaSource, writeCertificateFiles } from '../proxyless/certificates.js';
import type { CertificateSource } from '../proxyless/certificates.js';
import { CertificateRefresher } from '../proxyless/refresher.js';
import { sdsSource } from '../proxyless/sds-source.js';
import { DEFAULT_TOKEN_PATH, DEFAULT_TRUST_BUNDLE_PATH } from '../xds/sds/bootstrap.js';
import { systemTimers } from '../serve/debounce.js';
import type { Timers } from '../serve/debounce.js';
import { systemClock } from '../xds/server/types.js';
import type { Clock } from '../xds/server/types.js';
import { ExitCode, type CliIO } from './io.js';

/** The proxyless options of `aspen bootstrap`. */
export interface ProxylessCliOptions {
  /** `<namespace>/<name>`, already checked. */
  workload: string;
  /** Pod name for node.id. */
  pod?: string;
  /** aspen's xDS address, already checked. */
  xdsAddress: string;
  /** Plaintext to a loopback `aspen serve --xds-insecure`, already checked. */
  xdsInsecure?: boolean;
  /** Where the certificate files are, as the workload sees them (printed bootstrap). */
  certDir?: string;
  /** Write bootstrap and certificates here. */
  outDir?: string;
  /** The workload's service account (its SPIFFE identity). */
  serviceAccount?: string;
  /** Workload CA certificate (PEM file). */
  caCert?: string;
  /** Workload CA key (PEM file). */
  caKey?: string;
  /** Trust domain of the CA. */
  trustDomain?: string;
  /** Keep the certificate files current until a signal. */
  refresh?: boolean;
  /** Trust bundle verifying aspen (SDS over TLS, without a local CA). */
  trustBundle?: string;
  /** Projected ServiceAccount token sent to aspen (SDS over TLS, without a local CA). */
  tokenPath?: string;
}

/** The effects `--refresh` uses; tests pass their own. */
export interface ProxylessRuntime {
  clock: Clock;
  timers: Timers;
  random: () => number;
  /** Resolves when the refresher must stop. */
  shutdown: Promise<unknown>;
}

function signalRuntime(): ProxylessRuntime {
  const shutdown = new Promise((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  return { clock: systemClock, timers: systemTimers, random: Math.random, shutdown };
}

function oneShotRuntime(): ProxylessRuntime {
  return { clock: systemClock, timers: systemTimers, random: Math.random, shutdown: Promise.resolve() };
}

/** The refresher writing the workload's files into `--out-dir`, issuing from `ca`. */
function refresherFor(
  options: ProxylessCliOptions & { outDir: string },
  ca: CaState | undefined,
  io: CliIO,
  runtime: ProxylessRuntime,
): CertificateRefresher {
  const { clock } = runtime;
  const namespace = options.workload.split('/')[0] ?? '';
  const identity = { namespace, serviceAccount: options.serviceAccount ?? 'default' };
  return new CertificateRefresher({
    source: ca === undefined ? sdsSourceFor(options) : localCaSource(ca, identity, () => clock.now()),
    write: (files) => writeCertificateFiles(options.outDir, files),
    clock,
    timers: runtime.timers,
    random: runtime.random,
    logger: createLogger({ level: 'info', pretty: false, write: io.stderr }),
  });
}

/** Certificates from aspen's SDS: TLS with the token, or plaintext to a loopback `aspen serve --xds-insecure`. */
function sdsSourceFor(options: ProxylessCliOptions): CertificateSource {
  const [namespace = '', workload = ''] = options.workload.split('/');
  return sdsSource({
    xdsAddress: options.xdsAddress,
    nodeId: `${namespace}/${options.pod ?? workload}`,
    nodeCluster: options.workload,
    transport:
      options.xdsInsecure === true
        ? { plaintext: true }
        : {
            tls: {
              trustBundlePath: options.trustBundle ?? DEFAULT_TRUST_BUNDLE_PATH,
              tokenPath: options.tokenPath ?? DEFAULT_TOKEN_PATH,
            },
          },
  });
}

/** The CA from `--ca-cert`/`--ca-key` (undefined: neither given), or a usage problem (naming files, never key text). */
async function loadCa(options: ProxylessCliOptions): Promise<CaState | string | undefined> {
  if (options.caCert === undefined && options.caKey === undefined) return undefined;
  if (options.caCert === undefined || options.caKey === undefined)
    return '--ca-cert and --ca-key go together';
  let certPem: string;
  let keyPem: string;
  try {
    certPem = await readFile(options.caCert, 'utf8');
    keyPem = await readFile(options.caKey, 'utf8');
  } catch {
    return `--ca-cert ${options.caCert} / --ca-key ${options.caKey}: not readable files`;
  }
  const signer = await caFromPem(certPem, keyPem, { trustDomain: options.trustDomain ?? 'cluster.local' });
  return signer.ok ? newCaState(signer.value) : `--ca-cert/--ca-key: ${signer.error.message}`;
}

function bootstrapJson(options: ProxylessCliOptions, dir: string): string {
  const [namespace = '', workload = ''] = options.workload.split('/');
  const bootstrap = grpcBootstrap({
    namespace,
    workload,
    ...(options.pod === undefined ? {} : { pod: options.pod }),
    xdsAddress: options.xdsAddress,
    channelCreds:
      options.xdsInsecure === true
        ? { type: 'insecure' }
        : { type: 'tls', tokenPath: options.tokenPath ?? DEFAULT_TOKEN_PATH },
    dir,
  });
  return `${JSON.stringify(bootstrap, null, 2)}\n`;
}

/** Runs `aspen bootstrap --proxyless` (flags already checked by the caller); returns the exit code. */
export async function runProxylessBootstrap(
  options: ProxylessCliOptions,
  io: CliIO,
  runtime?: ProxylessRuntime,
): Promise<number> {
  if (options.outDir === undefined) {
    if (options.refresh === true) {
      io.stderr('aspen bootstrap: --refresh needs --out-dir\n');
      return ExitCode.Usage;
    }
    io.stdout(bootstrapJson(options, options.certDir ?? DEFAULT_PROXYLESS_DIR));
    return ExitCode.Ok;
  }
  const ca = await loadCa(options);
  if (typeof ca === 'string') {
    io.stderr(`aspen bootstrap: ${ca}\n`);
    return ExitCode.Usage;
  }
  return writeAndRefresh({ ...options, outDir: options.outDir }, ca, io, runtime);
}

async function writeAndRefresh(
  options: ProxylessCliOptions & { outDir: string },
  ca: CaState | undefined,
  io: CliIO,
  given?: ProxylessRuntime,
): Promise<number> {
  const runtime = given ?? (options.refresh === true ? signalRuntime() : oneShotRuntime());
  const refresher = refresherFor(options, ca, io, runtime);
  const dir = options.outDir;
  try {
    await refresher.start();
    await writeFile(join(dir, ProxylessFiles.bootstrap), bootstrapJson(options, dir), { mode: 0o644 });
  } catch (error) {
    refresher.stop();
    io.stderr(`aspen bootstrap: ${error instanceof Error ? error.message : String(error)}\n`);
    return ExitCode.Problems;
  }
  if (options.refresh !== true) {
    refresher.stop();
    return ExitCode.Ok;
  }
  await runtime.shutdown;
  refresher.stop();
  return ExitCode.Ok;
}
