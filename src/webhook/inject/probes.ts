/**
 * Probe rewrite: under STRICT mTLS the kubelet (which has no workload certificate) cannot reach an HTTP probe on the
 * app's port any more, since inbound traffic is redirected to Envoy. Each HTTP probe is pointed at the proxy's health
 * port instead, `/app-health/<container>/<kind>`, where a static route forwards it over loopback to the app's
 * original port and path (the proxy's health port is excluded from redirection). TCP, gRPC and exec probes and probes
 * naming another `host` are left as they are.
 */
import type { V1Container, V1ContainerPort, V1Probe } from '@kubernetes/client-node';
import { HEALTH_PORT } from './redirect.js';

/** The three probe fields of a container. */
export const PROBE_KINDS = ['livenessProbe', 'readinessProbe', 'startupProbe'] as const;
/** One of them. */
export type ProbeKind = (typeof PROBE_KINDS)[number];

const PATH_NAMES: Record<ProbeKind, string> = {
  livenessProbe: 'livez',
  readinessProbe: 'readyz',
  startupProbe: 'startupz',
};

/** A route of the proxy's health listener standing in for one app probe. */
export interface ProbeRoute {
  /** Path the kubelet now calls on the health port. */
  readonly path: string;
  /** The app's port (named ports resolved). */
  readonly port: number;
  /** The app's original path (with query), `/` when none was given. */
  readonly targetPath: string;
  /** `HTTPS` when the app serves its probe over TLS. */
  readonly scheme: 'HTTP' | 'HTTPS';
}

/** Containers with rewritten probes, the routes behind them, and the originals (for the annotation). */
export interface ProbeRewrite {
  /** The containers, probes rewritten. */
  readonly containers: V1Container[];
  /** Routes, sorted by path. */
  readonly routes: ProbeRoute[];
  /** Original probes by container name and kind; empty when nothing was rewritten. */
  readonly originals: Record<string, Partial<Record<ProbeKind, V1Probe>>>;
}

function resolvePort(
  port: number | string,
  ports: readonly V1ContainerPort[] | undefined,
): number | undefined {
  if (typeof port === 'number') return port;
  if (/^[0-9]+$/.test(port)) return Number(port);
  return ports?.find((p) => p.name === port)?.containerPort;
}

function hasHost(host: string | undefined): boolean {
  return host !== undefined && host !== '';
}

function targetPath(path: string | undefined): string {
  return path === undefined || path === '' ? '/' : path;
}

function rewriteProbe(
  container: V1Container,
  kind: ProbeKind,
): { probe: V1Probe; route: ProbeRoute } | undefined {
  const probe = container[kind];
  const http = probe?.httpGet;
  if (probe === undefined || http === undefined || hasHost(http.host)) return undefined;
  const port = resolvePort(http.port, container.ports);
  if (port === undefined) return undefined; // the API server rejects an unknown named port anyway
  const route: ProbeRoute = {
    path: `/app-health/${container.name}/${PATH_NAMES[kind]}`,
    port,
    targetPath: targetPath(http.path),
    scheme: http.scheme === 'HTTPS' ? 'HTTPS' : 'HTTP',
  };
  const httpGet = {
    ...(http.httpHeaders === undefined ? {} : { httpHeaders: http.httpHeaders }),
    path: route.path,
    port: HEALTH_PORT,
    scheme: 'HTTP',
  };
  return { probe: { ...probe, httpGet }, route };
}

/** Rewrites the HTTP probes of `containers`. Pure. */
export function rewriteProbes(containers: readonly V1Container[]): ProbeRewrite {
  const routes: ProbeRoute[] = [];
  const originals: ProbeRewrite['originals'] = {};
  const rewritten = containers.map((container) => {
    const next: V1Container = { ...container };
    for (const kind of PROBE_KINDS) {
      const result = rewriteProbe(container, kind);
      if (result === undefined) continue;
      next[kind] = result.probe;
      routes.push(result.route);
      (originals[container.name] ??= {})[kind] = container[kind];
    }
    return next;
  });
  routes.sort((a, b) => a.path.localeCompare(b.path));
  return { containers: rewritten, routes, originals };
}
