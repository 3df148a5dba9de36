/**
 * `aspen bootstrap --workload <ns>/<name>`: prints the Envoy bootstrap of a sidecar (the same the injector writes);
 * with `--proxyless`, the gRPC xDS bootstrap of a proxyless workload and its certificate files (bootstrap-proxyless.ts).
 */
import { isIP } from 'node:net';
import { stringify } from 'yaml';
import {
  DEFAULT_TOKEN_PATH,
  DEFAULT_TRUST_BUNDLE_PATH,
  DEFAULT_XDS_ADDRESS,
  envoyBootstrap,
} from '../xds/sds/bootstrap.js';
import { splitAddress } from '../xds/sds/bootstrap-parts.js';
import { runProxylessBootstrap } from './bootstrap-proxyless.js';
import type { ProxylessCliOptions } from './bootstrap-proxyless.js';
import { ExitCode, type CliIO } from './io.js';

/** Options of `aspen bootstrap`. */
export interface BootstrapCliOptions {
  /** `<namespace>/<name>` of the workload. */
  workload: string;
  /** Pod name; default the `$POD_NAME` placeholder. */
  pod?: string;
  /** `host:port` of aspen's xDS service. */
  xdsAddress: string;
  /** `token` (ServiceAccount token, cluster mode) or `none` (file mode, `aspen serve`). */
  xdsAuth: string;
  /** Plaintext to a loopback `aspen serve --xds-insecure`; only with `--xds-auth none`. */
  xdsInsecure?: boolean;
  /** Path of the trust bundle inside the sidecar. */
  trustBundle: string;
  /** Path of the projected ServiceAccount token inside the sidecar. */
  tokenPath: string;
  /** `json` or `yaml`. */
  output: string;
  /** The gRPC xDS bootstrap of a proxyless gRPC workload instead of Envoy's. */
  proxyless?: boolean;
  /** Proxyless: the workload's service account (default `default`). */
  serviceAccount?: string;
  /** Proxyless: where the certificate files are inside the pod (printed bootstrap). */
  certDir?: string;
  /** Proxyless: write bootstrap.json and the certificate files into this directory. */
  outDir?: string;
  /** Proxyless: workload CA certificate (PEM file), to issue the certificate files. */
  caCert?: string;
  /** Proxyless: workload CA key (PEM file). */
  caKey?: string;
  /** Proxyless: trust domain of the CA. */
  trustDomain?: string;
  /** Proxyless: keep the certificate files current until SIGINT/SIGTERM. */
  refresh?: boolean;
}

/** Defaults of the options, for the command definition. */
export const BOOTSTRAP_DEFAULTS = {
  xdsAddress: DEFAULT_XDS_ADDRESS,
  xdsAuth: 'token',
  trustBundle: DEFAULT_TRUST_BUNDLE_PATH,
  tokenPath: DEFAULT_TOKEN_PATH,
} as const;

const NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const ADDRESS = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):([0-9]{1,5})$/;
const LOOPBACK = new Set(['localhost', '127.0.0.1', '::1']);

function workloadProblem(workload: string, pod: string | undefined): string | undefined {
  const [namespace = '', name = '', ...rest] = workload.split('/');
  if (rest.length > 0 || !NAME.test(namespace) || !NAME.test(name)) {
    return `--workload "${workload}" is not <namespace>/<name>`;
  }
  if (pod !== undefined && !NAME.test(pod)) return `--pod "${pod}" is not a pod name`;
  return undefined;
}

function addressProblem(address: string): string | undefined {
  const port = Number(ADDRESS.exec(address)?.[2] ?? 0);
  const { host } = splitAddress(address);
  const validHost = !host.includes(':') || isIP(host) === 6;
  return port >= 1 && port <= 65535 && validHost
    ? undefined
    : `--xds-address "${address}" is not <host>:<port>`;
}

function authProblem(options: BootstrapCliOptions): string | undefined {
  if (options.xdsAuth !== 'token' && options.xdsAuth !== 'none') return '--xds-auth must be token or none';
  if (options.xdsInsecure !== true) return undefined;
  if (options.xdsAuth === 'token')
    return '--xds-insecure would send the token in plaintext: use --xds-auth none';
  const { host } = splitAddress(options.xdsAddress);
  return LOOPBACK.has(host) ? undefined : '--xds-insecure is for a loopback --xds-address only';
}

function formatProblem(options: BootstrapCliOptions): string | undefined {
  if (options.output !== 'json' && options.output !== 'yaml') return '-o must be json or yaml';
  if (!options.trustBundle.startsWith('/') || !options.tokenPath.startsWith('/')) {
    return '--trust-bundle and --token-path must be absolute paths inside the sidecar';
  }
  return undefined;
}

function usageProblem(options: BootstrapCliOptions): string | undefined {
  return (
    workloadProblem(options.workload, options.pod) ??
    addressProblem(options.xdsAddress) ??
    authProblem(options) ??
    formatProblem(options)
  );
}

/** Usage problems of `--proxyless`: gRPC sends no token, so `--xds-auth` does not apply. */
function proxylessProblem(options: BootstrapCliOptions): string | undefined {
  const plaintext = options.xdsInsecure === true && !LOOPBACK.has(splitAddress(options.xdsAddress).host);
  if (plaintext) return '--xds-insecure is for a loopback --xds-address only';
  if (options.serviceAccount !== undefined && !NAME.test(options.serviceAccount)) {
    return `--service-account "${options.serviceAccount}" is not a service account name`;
  }
  if (options.certDir !== undefined && !options.certDir.startsWith('/'))
    return '--cert-dir must be an absolute path';
  return options.output === 'json' ? undefined : '--proxyless prints JSON only (-o json)';
}

/** Flags `--proxyless` passes on (the others are Envoy's). */
const PROXYLESS_FLAGS = [
  'workload',
  'pod',
  'xdsAddress',
  'xdsInsecure',
  'certDir',
  'outDir',
  'serviceAccount',
  'caCert',
  'caKey',
  'trustDomain',
  'refresh',
  'trustBundle',
  'tokenPath',
] as const;

/** The proxyless options, from the command's (unset flags left out). */
function proxylessOptions(options: BootstrapCliOptions): ProxylessCliOptions {
  const entries: [string, unknown][] = PROXYLESS_FLAGS.map((flag) => [flag, options[flag]]);
  const set: Record<string, unknown> = Object.fromEntries(entries.filter(([, v]) => v !== undefined));
  return set as unknown as ProxylessCliOptions;
}

/** The first usage problem, if any. */
function problemOf(options: BootstrapCliOptions): string | undefined {
  const common = workloadProblem(options.workload, options.pod) ?? addressProblem(options.xdsAddress);
  return common ?? (options.proxyless === true ? proxylessProblem(options) : usageProblem(options));
}

/** Runs `aspen bootstrap`; returns the exit code. */
export function runBootstrap(options: BootstrapCliOptions, io: CliIO): number | Promise<number> {
  const problem = problemOf(options);
  if (problem !== undefined) {
    io.stderr(`aspen bootstrap: ${problem}\n`);
    return ExitCode.Usage;
  }
  if (options.proxyless === true) return runProxylessBootstrap(proxylessOptions(options), io);
  const [namespace = '', workload = ''] = options.workload.split('/');
  const bootstrap = envoyBootstrap({
    namespace,
    workload,
    ...(options.pod === undefined ? {} : { pod: options.pod }),
    xds: {
      address: options.xdsAddress,
      trustBundlePath: options.trustBundle,
      tokenPath: options.tokenPath,
      auth: options.xdsAuth === 'none' ? 'none' : 'token',
      plaintext: options.xdsInsecure === true,
    },
  });
  io.stdout(options.output === 'yaml' ? stringify(bootstrap) : `${JSON.stringify(bootstrap, null, 2)}\n`);
  return ExitCode.Ok;
}
