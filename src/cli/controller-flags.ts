/**
 * The flags of `aspen controller` (contracts.md) turned into {@link ControllerOptions}: addresses, durations, the
 * namespace (`--namespace`, else `$POD_NAMESPACE`, else aspen-system), the replica id (`--replica-id`, else
 * `$POD_NAME`, else the hostname), the dataplane address and identity. Every problem is collected as a usage error.
 */
import type { ControllerOptions } from '../controller/options.js';
import { DEFAULT_CA_SECRET, DEFAULT_NAMESPACE } from '../controller/options.js';
import { isLogLevel, LOG_LEVELS } from '../log.js';
import { parseListenAddress } from '../serve/address.js';
import type { ListenAddress } from '../serve/address.js';
import { parseEnvoyVersionRange } from '../serve/envoy-version.js';
import { spiffeId } from '../translate/match.js';
import { DEFAULT_IMAGES } from '../webhook/inject/settings.js';
import { defaultXdsConfig } from '../xds/translate/config.js';

/** Options of `aspen controller`, as commander parses them. */
export interface ControllerCliOptions {
  /** Kubeconfig file; default in-cluster, else $KUBECONFIG / ~/.kube/config. */
  kubeconfig?: string;
  /** aspen's namespace. */
  namespace?: string;
  /** SPIFFE trust domain. */
  trustDomain: string;
  /** xDS address. */
  xdsListen: string;
  /** Webhook address (the webhook server is wired by the webhooks part). */
  webhookListen: string;
  /** self | external. */
  webhookCertSource: string;
  /** Directory of tls.crt/tls.key/ca.crt for `external`. */
  webhookCertDir?: string;
  /** Extra DNS names of the self-managed webhook serving certificate, comma-separated. */
  webhookExtraDnsNames?: string;
  /** Envoy image of injected pods. */
  proxyImage: string;
  /** Image of the injected traffic-redirect init container. */
  redirectImage: string;
  /** aspen's own image, run by proxyless gRPC pods' bootstrap/certificate agent. */
  aspenImage: string;
  /** xDS address injected proxies dial; default aspen.<namespace>.svc:15010. */
  injectionXdsAddress?: string;
  /** Namespaces never injected (besides kube-system & co. and aspen's own), comma-separated. */
  injectionExcludedNamespaces?: string;
  /** Metrics address. */
  metricsListen: string;
  /** Health address. */
  healthListen: string;
  /** Leader election (commander's --no-leader-elect sets false). */
  leaderElect: boolean;
  /** Lease duration, e.g. 15s. */
  leaseDuration: string;
  /** Renew deadline, e.g. 10s. */
  renewDeadline: string;
  /** Retry period, e.g. 2s. */
  retryPeriod: string;
  /** Replica id. */
  replicaId?: string;
  /** CA Secret name. */
  caSecret: string;
  /** Dataplane host:port; default aspen-dataplane.<namespace>.svc:15020. */
  dataplaneAddress?: string;
  /** Supported Envoy range. */
  supportedEnvoy: string;
  /** Log level. */
  logLevel: string;
  /** json | pretty (default: pretty on a terminal). */
  logFormat?: string;
}

/** The process facts the flags default from. */
export interface FlagEnvironment {
  /** Environment variables (POD_NAMESPACE, POD_NAME). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The hostname. */
  readonly hostname: string;
}

/** Webhook settings, parsed (served by the webhooks part of the controller). */
export interface WebhookFlags {
  /** Address. */
  readonly listen: ListenAddress;
  /** Who manages the serving certificate. */
  readonly certSource: 'self' | 'external';
  /** Where an external certificate is read. */
  readonly certDir?: string;
  /** DNS names of the self-managed serving certificate besides the Service's (e.g. `localhost`). */
  readonly extraDnsNames?: readonly string[];
}

/** Sidecar injection settings, parsed. */
export interface InjectionFlags {
  /** Images of the injected containers. */
  readonly images: { readonly proxy: string; readonly redirect: string; readonly aspen: string };
  /** `host:port` of aspen's xDS service as injected proxies dial it. */
  readonly xdsAddress: string;
  /** Namespaces never injected besides the built-in ones. */
  readonly excludedNamespaces: readonly string[];
}

/** Everything the flags resolve to. */
export interface ResolvedControllerFlags {
  /** The app's options. */
  readonly options: ControllerOptions;
  /** Webhook settings. */
  readonly webhook: WebhookFlags;
  /** Injection settings. */
  readonly injection: InjectionFlags;
}

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** `15s`, `500ms`, `1m`, `1h` in milliseconds, or undefined. */
export function parseDuration(text: string): number | undefined {
  const match = DURATION.exec(text.trim());
  if (match === null) return undefined;
  const ms = Number(match[1]) * (UNIT_MS[match[2] ?? ''] ?? 0);
  return ms > 0 ? ms : undefined;
}

class Problems {
  readonly list: string[] = [];

  address(flag: string, text: string, requirePort = false): ListenAddress {
    const parsed = parseListenAddress(text);
    if (typeof parsed === 'string' || (requirePort && parsed.port < 1)) {
      this.list.push(`${flag}: ${typeof parsed === 'string' ? parsed : 'needs a port'}`);
      return { host: '', port: 0 };
    }
    return parsed;
  }

  duration(flag: string, text: string): number {
    const ms = parseDuration(text);
    if (ms === undefined) this.list.push(`${flag}: "${text}" is not a duration like 15s or 500ms`);
    return ms ?? 0;
  }
}

function leaderTiming(flags: ControllerCliOptions, problems: Problems): ControllerOptions['leaderTiming'] {
  const timing = {
    leaseDurationMs: problems.duration('--lease-duration', flags.leaseDuration),
    renewDeadlineMs: problems.duration('--renew-deadline', flags.renewDeadline),
    retryPeriodMs: problems.duration('--retry-period', flags.retryPeriod),
  };
  if (timing.renewDeadlineMs >= timing.leaseDurationMs && timing.leaseDurationMs > 0)
    problems.list.push('--renew-deadline must be shorter than --lease-duration');
  return timing;
}

function webhookFlags(flags: ControllerCliOptions, problems: Problems): WebhookFlags {
  const listen = problems.address('--webhook-listen', flags.webhookListen);
  const source = flags.webhookCertSource;
  if (source !== 'self' && source !== 'external') {
    problems.list.push('--webhook-cert-source must be self or external');
    return { listen, certSource: 'self' };
  }
  if (source === 'external' && flags.webhookCertDir === undefined)
    problems.list.push('--webhook-cert-source external needs --webhook-cert-dir');
  const extra = listOf(flags.webhookExtraDnsNames);
  return {
    listen,
    certSource: source,
    ...(flags.webhookCertDir === undefined ? {} : { certDir: flags.webhookCertDir }),
    ...(extra.length === 0 ? {} : { extraDnsNames: extra }),
  };
}

/** A comma-separated list, trimmed, empty entries dropped. */
export function listOf(text: string | undefined): string[] {
  return (text ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
}

function injectionFlags(flags: ControllerCliOptions, namespace: string, problems: Problems): InjectionFlags {
  for (const [flag, image] of [
    ['--proxy-image', flags.proxyImage],
    ['--redirect-image', flags.redirectImage],
    ['--aspen-image', flags.aspenImage],
  ] as const) {
    if (image.trim() === '' || /\s/.test(image))
      problems.list.push(`${flag}: "${image}" is not an image reference`);
  }
  const xdsAddress = flags.injectionXdsAddress ?? `aspen.${namespace}.svc:15010`;
  problems.address('--injection-xds-address', xdsAddress, true);
  return {
    images: { proxy: flags.proxyImage, redirect: flags.redirectImage, aspen: flags.aspenImage },
    xdsAddress,
    excludedNamespaces: listOf(flags.injectionExcludedNamespaces),
  };
}

function checkLogging(flags: ControllerCliOptions, problems: Problems): void {
  if (!isLogLevel(flags.logLevel)) problems.list.push(`--log-level must be one of: ${LOG_LEVELS.join(', ')}`);
  if (flags.logFormat !== undefined && flags.logFormat !== 'json' && flags.logFormat !== 'pretty')
    problems.list.push('--log-format must be json or pretty');
}

/** Resolves the flags; returns the usage errors instead when there are any. */
export function resolveControllerFlags(
  flags: ControllerCliOptions,
  environment: FlagEnvironment,
): ResolvedControllerFlags | string[] {
  const problems = new Problems();
  const namespace = flags.namespace ?? environment.env['POD_NAMESPACE'] ?? DEFAULT_NAMESPACE;
  const replicaId = flags.replicaId ?? environment.env['POD_NAME'] ?? environment.hostname;
  const dataplane = problems.address(
    '--dataplane-address',
    flags.dataplaneAddress ?? `aspen-dataplane.${namespace}.svc:15020`,
    true,
  );
  const supportedEnvoy = parseEnvoyVersionRange(flags.supportedEnvoy);
  if (typeof supportedEnvoy === 'string') problems.list.push(`--supported-envoy: ${supportedEnvoy}`);
  checkLogging(flags, problems);
  const options: ControllerOptions = {
    namespace,
    trustDomain: flags.trustDomain,
    replicaId,
    caSecret: flags.caSecret,
    xds: {
      ...defaultXdsConfig(flags.trustDomain),
      dataplane,
      dataplaneIdentity: spiffeId(flags.trustDomain, namespace, 'aspen-dataplane'),
    },
    xdsListen: problems.address('--xds-listen', flags.xdsListen),
    healthListen: problems.address('--health-listen', flags.healthListen),
    metricsListen: problems.address('--metrics-listen', flags.metricsListen),
    leaderElect: flags.leaderElect,
    leaderTiming: leaderTiming(flags, problems),
    ...(typeof supportedEnvoy === 'string' ? {} : { supportedEnvoy }),
  };
  const webhook = webhookFlags(flags, problems);
  const injection = injectionFlags(flags, namespace, problems);
  return problems.list.length > 0 ? problems.list : { options, webhook, injection };
}

/** Flag defaults (contracts.md). */
export const CONTROLLER_DEFAULTS = {
  trustDomain: 'cluster.local',
  xdsListen: '0.0.0.0:15010',
  webhookListen: '0.0.0.0:9443',
  webhookCertSource: 'self',
  proxyImage: DEFAULT_IMAGES.proxy,
  redirectImage: DEFAULT_IMAGES.redirect,
  aspenImage: DEFAULT_IMAGES.aspen,
  metricsListen: '0.0.0.0:9090',
  healthListen: '0.0.0.0:8081',
  leaseDuration: '15s',
  renewDeadline: '10s',
  retryPeriod: '2s',
  caSecret: DEFAULT_CA_SECRET,
  supportedEnvoy: '1.36-1.40',
  logLevel: 'info',
} as const;
