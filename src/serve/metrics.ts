/**
 * Prometheus metrics of `aspen serve`, on a registry passed in (never prom-client's global default): xDS protocol
 * figures from the server's events, rebuild figures from the runner, and convergence time (a change detected in the
 * directory → the proxy's ACK of the version carrying it) and push duration (a rebuild publishing a version → the
 * first response carrying it written to a stream of that proxy key).
 */
import { Counter, Gauge, Histogram } from 'prom-client';
import type { Registry } from 'prom-client';
import type { Clock, XdsServerEvents } from '../xds/server/types.js';
import type { BuildReport } from './runner.js';

/** `Cluster` for `type.googleapis.com/envoy.config.cluster.v3.Cluster`: the `type` label. */
export function typeLabel(typeUrl: string): string {
  return typeUrl.slice(typeUrl.lastIndexOf('.') + 1);
}

/** A version waiting for its ACK. */
interface Pending {
  version: string;
  changeDetectedAt: Date;
}

/** The serve metrics; feed it {@link events} and {@link recordBuild}. */
export class ServeMetrics {
  /** Hooks to pass to `AdsService`. */
  readonly events: XdsServerEvents;
  private readonly clock: Clock;
  private readonly pending = new Map<string, Pending>();
  /** Versions published by a change-driven rebuild and not yet sent, by `<proxyKey>\n<typeUrl>`. */
  private readonly unsent = new Map<string, { version: string; publishedAt: Date }>();
  private readonly rebuilds: Counter<'outcome'>;
  private readonly rebuildDuration: Histogram;
  private readonly convergence: Histogram;
  private readonly pushDuration: Histogram<'type'>;

  /** Registers every metric on `registry`. */
  constructor(registry: Registry, clock: Clock) {
    this.clock = clock;
    const registers = [registry];
    const connected = new Gauge({
      name: 'aspen_xds_connected_proxies',
      help: 'Authenticated xDS streams',
      registers,
    });
    const pushes = new Counter({
      name: 'aspen_xds_pushes_total',
      help: 'xDS responses sent, by resource type',
      labelNames: ['type'],
      registers,
    });
    const bytes = new Counter({
      name: 'aspen_xds_push_bytes_total',
      help: 'Encoded resource bytes sent, by resource type',
      labelNames: ['type'],
      registers,
    });
    const nacks = new Counter({
      name: 'aspen_xds_nacks_total',
      help: 'Responses rejected by proxies (NACK), by resource type',
      labelNames: ['type'],
      registers,
    });
    const refused = new Counter({ name: 'aspen_xds_refused_total', help: 'xDS streams refused', registers });
    this.rebuilds = new Counter({
      name: 'aspen_rebuilds_total',
      help: 'Pipeline rebuilds, by outcome (ok, load_error, check_error, internal_error)',
      labelNames: ['outcome'],
      registers,
    });
    this.rebuildDuration = new Histogram({
      name: 'aspen_rebuild_duration_seconds',
      help: 'Time to read, translate, check and publish the directory',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    this.convergence = new Histogram({
      name: 'aspen_xds_convergence_seconds',
      help: 'From a change detected in the directory to the ACK of the version carrying it',
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    });
    this.pushDuration = new Histogram({
      name: 'aspen_xds_push_duration_seconds',
      help: 'From a rebuild publishing a version to the first response carrying it written to that proxy, by type',
      labelNames: ['type'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
    this.events = {
      onConnected: () => connected.inc(),
      onDisconnected: () => connected.dec(),
      onRefused: () => refused.inc(),
      onSent: (stream, response) => {
        pushes.inc({ type: typeLabel(response.typeUrl) });
        bytes.inc({ type: typeLabel(response.typeUrl) }, response.bytes);
        this.sent(stream.proxyKey, response.typeUrl, response.version);
      },
      onRejected: (rejection) => nacks.inc({ type: typeLabel(rejection.typeUrl) }),
      onAcked: (stream, typeUrl, version) => this.acked(stream.proxyKey, typeUrl, version),
    };
  }

  /**
   * Counts a rebuild and starts the convergence and push clocks of every version it published for a change (the
   * startup build is not timed: nothing is connected before it).
   */
  recordBuild(report: BuildReport): void {
    this.rebuilds.inc({ outcome: report.status.outcome });
    this.rebuildDuration.observe(report.status.durationMs / 1000);
    for (const proxyKey of report.removed) this.forget(proxyKey);
    const detected = report.changeDetectedAt;
    if (detected === undefined) return;
    for (const { proxyKey, typeUrl, version } of report.changed) {
      const key = `${proxyKey}\n${typeUrl}`;
      this.unsent.set(key, { version, publishedAt: report.status.at });
      // A newer version carries the older change too: its convergence still counts from the earlier detection.
      const earlier = this.pending.get(key)?.changeDetectedAt ?? detected;
      this.pending.set(key, { version, changeDetectedAt: earlier });
    }
  }

  private forget(proxyKey: string): void {
    for (const map of [this.pending, this.unsent]) {
      for (const key of [...map.keys()]) if (key.startsWith(`${proxyKey}\n`)) map.delete(key);
    }
  }

  private sent(proxyKey: string, typeUrl: string, version: string): void {
    const key = `${proxyKey}\n${typeUrl}`;
    const published = this.unsent.get(key);
    if (published?.version !== version) return;
    this.unsent.delete(key);
    const seconds = (this.clock.now().getTime() - published.publishedAt.getTime()) / 1000;
    this.pushDuration.observe({ type: typeLabel(typeUrl) }, seconds);
  }

  private acked(proxyKey: string, typeUrl: string, version: string): void {
    const key = `${proxyKey}\n${typeUrl}`;
    const pending = this.pending.get(key);
    if (pending?.version !== version) return;
    this.pending.delete(key);
    this.convergence.observe((this.clock.now().getTime() - pending.changeDetectedAt.getTime()) / 1000);
  }
}
