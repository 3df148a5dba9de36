/**
 * The Envoy version of each connected proxy (from `node.user_agent_build_version`, see `xds/server/node.ts`): a gauge
 * `aspen_xds_proxy_envoy_version{version, supported}` of connected proxies, and one warning per proxy whose version is
 * outside the supported range. The version is what the proxy says about itself: a hint for operators, never identity.
 */
import { Gauge } from 'prom-client';
import type { Registry } from 'prom-client';
import type { Logger, StreamInfo, XdsServerEvents } from '../xds/server/types.js';

/** A `major.minor` range, both ends included. */
export interface EnvoyVersionRange {
  /** Oldest supported `major.minor`, e.g. `1.36`. */
  readonly min: string;
  /** Newest supported `major.minor`, e.g. `1.40`. */
  readonly max: string;
}

/** The Envoy releases aspen's generated configuration is tested against. */
export const DEFAULT_SUPPORTED_ENVOY: EnvoyVersionRange = { min: '1.36', max: '1.40' };

const MAJOR_MINOR = /^(\d+)\.(\d+)$/;
const ENVOY_AGENT = /^envoy\/(\d+)\.(\d+)\.(\d+)$/;

/** `1.36` → 1036 style ordinal for comparison; undefined when not `major.minor`. */
function ordinal(text: string): number | undefined {
  const match = MAJOR_MINOR.exec(text);
  return match === null ? undefined : Number(match[1]) * 10000 + Number(match[2]);
}

/** Parses `<min>-<max>` (e.g. `1.36-1.40`); a message when it is not one or min > max. */
export function parseEnvoyVersionRange(text: string): EnvoyVersionRange | string {
  const [min = '', max = '', ...rest] = text.split('-');
  const low = ordinal(min);
  const high = ordinal(max);
  if (rest.length > 0 || low === undefined || high === undefined) {
    return `"${text}" is not <major.minor>-<major.minor> (e.g. 1.36-1.40)`;
  }
  if (low > high) return `"${text}": ${min} is newer than ${max}`;
  return { min, max };
}

/** The Envoy version of a user agent (`envoy/1.36.2` → `1.36.2`), or undefined for another client. */
export function envoyVersionOf(userAgent: string): string | undefined {
  if (!userAgent.startsWith('envoy/')) return undefined;
  return ENVOY_AGENT.test(userAgent) ? userAgent.slice('envoy/'.length) : 'unknown';
}

/** Whether a version's `major.minor` is in the range (`unknown` is not). */
export function isSupportedEnvoy(version: string, range: EnvoyVersionRange): boolean {
  const value = ordinal(version.split('.').slice(0, 2).join('.'));
  const low = ordinal(range.min) ?? 0;
  const high = ordinal(range.max) ?? 0;
  return value !== undefined && value >= low && value <= high;
}

/** Counts connected Envoy proxies by version and warns once per proxy outside the supported range. */
export class EnvoyVersions {
  private readonly gauge: Gauge<'version' | 'supported'>;
  private readonly range: EnvoyVersionRange;
  private readonly logger: Logger;
  private readonly warned = new Set<string>();

  /** Registers the gauge on `registry`. */
  constructor(registry: Registry, logger: Logger, range: EnvoyVersionRange = DEFAULT_SUPPORTED_ENVOY) {
    this.range = range;
    this.logger = logger;
    this.gauge = new Gauge({
      name: 'aspen_xds_proxy_envoy_version',
      help: `Connected Envoy proxies by version; supported="true" within ${range.min}-${range.max}`,
      labelNames: ['version', 'supported'],
      registers: [registry],
    });
  }

  /** A stream was authenticated. */
  connected(stream: StreamInfo): void {
    const labels = this.labels(stream);
    if (labels === undefined) return;
    this.gauge.inc(labels);
    const key = `${stream.proxyKey}\n${stream.nodeId}\n${labels.version}`;
    if (labels.supported === 'true' || this.warned.has(key)) return;
    this.warned.add(key);
    this.logger.warn(
      {
        proxy: stream.proxyKey,
        nodeId: stream.nodeId,
        envoyVersion: labels.version,
        supported: `${this.range.min}-${this.range.max}`,
      },
      'proxy runs an Envoy version outside the supported range',
    );
  }

  /** An authenticated stream ended. */
  disconnected(stream: StreamInfo): void {
    const labels = this.labels(stream);
    if (labels !== undefined) this.gauge.dec(labels);
  }

  private labels(stream: StreamInfo): { version: string; supported: 'true' | 'false' } | undefined {
    const version = envoyVersionOf(stream.userAgent);
    if (version === undefined) return undefined;
    return { version, supported: isSupportedEnvoy(version, this.range) ? 'true' : 'false' };
  }
}

/** `events` with the version tracking added to the connect and disconnect hooks. */
export function withEnvoyVersions(events: XdsServerEvents, versions: EnvoyVersions): XdsServerEvents {
  return {
    ...events,
    onConnected: (stream): void => {
      events.onConnected?.(stream);
      versions.connected(stream);
    },
    onDisconnected: (stream): void => {
      events.onDisconnected?.(stream);
      versions.disconnected(stream);
    },
  };
}
