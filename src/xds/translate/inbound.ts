/**
 * The inbound side of a proxy (its listener, its ports' route configurations, the clusters its filters and logs call),
 * memoised by content (ADR 0034). Each piece is keyed on exactly what it is built from, so proxies alike in that
 * content share the very same message objects, and an unchanged proxy keeps its objects across rebuilds:
 * - a port's HTTP filters (JWT, API keys, RBAC, rate limits…, and the clusters they call): the port's policy settings
 *   (`PortPolicies`: Enforce and Audit sets, fail-closed policies) and the settings, whatever the port number or the
 *   workload;
 * - a port's route configuration: its number, fail-closed policies and request validation;
 * - a port's filter chains (connection manager, access logs, segmentation): the whole port and the settings, plus the
 *   workload's name when access logging is on (the stdout log line names the workload);
 * - the listener: the settings and every port's chain key.
 * Nothing here reads the proxy's identity, policies or outbound services.
 */
import type { Cluster } from '../../gen/envoy/config/cluster/v3/cluster.js';
import type { Listener } from '../../gen/envoy/config/listener/v3/listener.js';
import type { FilterChain } from '../../gen/envoy/config/listener/v3/listener_components.js';
import type { RouteConfiguration } from '../../gen/envoy/config/route/v3/route.js';
import type { PortIR, ProxyIR, WorkloadIR } from '../../ir/index.js';
import { accessLogClusters, accessLogs } from './access-log.js';
import { localAppClusterFor } from './clusters.js';
import { byString } from './common.js';
import type { XdsTranslateConfig } from './config.js';
import type { FilterOutput, PortPolicies } from './filters/module.js';
import { httpFiltersFor } from './hcm.js';
import { chainsFor, inboundListener } from './listeners.js';
import { ContentMemo, contentJson } from './memo.js';
import { inboundRoutes } from './routes.js';
import type { RoutePort } from './routes.js';

/** The inbound resources of one proxy. */
export interface InboundResources {
  /** The inbound listener; undefined when the workload has no port. */
  listener: Listener | undefined;
  /** One route configuration per port, in port order. */
  routes: RouteConfiguration[];
  /** Local application clusters, then the filters' and access logs' clusters: the first of each name, sorted by name. */
  clusters: Cluster[];
}

/** One port's part. */
interface PortInbound {
  chains: FilterChain[];
  /** The clusters its filters and access logs call, in module order. */
  clusters: Cluster[];
  route: RouteConfiguration;
  localApp: Cluster;
}

/** Bounds: a few times what a 2,000-workload mesh uses, so a rebuild's content fits with the previous one's. */
const MAX_PROXIES = 16_384;
const MAX_PORTS = 32_768;
const MAX_SHARED = 16_384;

const byProxy = new ContentMemo<InboundResources>(MAX_PROXIES);
const byPort = new ContentMemo<PortInbound>(MAX_PORTS);
const filtersByPolicies = new ContentMemo<FilterOutput>(MAX_SHARED);
const routesByPort = new ContentMemo<RouteConfiguration>(MAX_SHARED);
const localAppByPort = new ContentMemo<Cluster>(MAX_SHARED);

/** The content key of one port's chains: the port, and the workload when its stdout log names it. */
function portKey(port: PortIR, workload: Pick<WorkloadIR, 'namespace' | 'name'>): string {
  const json = contentJson(port);
  return port.accessLog.enabled ? `${json}\t${workload.namespace}/${workload.name}` : json;
}

/** The HTTP filters of a port's policy settings (and the clusters they call), shared by every port alike. */
export function portFilters(port: PortPolicies, config: XdsTranslateConfig): FilterOutput {
  const audit = port.audit === undefined ? '' : contentJson(port.audit);
  const key = `${contentJson(config)}\n${contentJson(port.enforce)}\n${audit}\n${contentJson(port.failClosed)}`;
  return filtersByPolicies.get(key, () =>
    httpFiltersFor({
      port: { enforce: port.enforce, audit: port.audit, failClosed: port.failClosed },
      config,
    }),
  );
}

/** The route configuration of a port, shared by every port alike. */
export function portRoutes(port: RoutePort): RouteConfiguration {
  const rv = contentJson(port.enforce.requestValidation);
  const key = `${port.port}\n${contentJson(port.failClosed)}\n${rv}`;
  return routesByPort.get(key, () =>
    inboundRoutes({
      port: port.port,
      failClosed: port.failClosed,
      enforce: { requestValidation: port.enforce.requestValidation },
    }),
  );
}

function localApp(port: number): Cluster {
  return localAppByPort.get(String(port), () => localAppClusterFor(port));
}

function buildPort(port: PortIR, proxy: ProxyIR, config: XdsTranslateConfig): PortInbound {
  const ctx = { proxy, port, config };
  const filters = portFilters(port, config);
  return {
    chains: chainsFor({ ctx, httpFilters: filters.httpFilters, accessLog: accessLogs(ctx) }),
    clusters: [...filters.clusters, ...accessLogClusters(ctx)],
    route: portRoutes(port),
    localApp: localApp(port.port),
  };
}

/** The first cluster of each name, sorted by name. */
function uniqueSorted(clusters: Cluster[]): Cluster[] {
  const seen = new Map<string, Cluster>();
  for (const c of clusters) if (!seen.has(c.name)) seen.set(c.name, c);
  return [...seen.values()].sort((a, b) => byString(a.name, b.name));
}

function buildInbound(ports: PortInbound[], config: XdsTranslateConfig): InboundResources {
  return {
    listener: inboundListener(
      config,
      ports.flatMap((p) => p.chains),
    ),
    routes: ports.map((p) => p.route),
    // The order the first of each name is taken in: local apps, then filter modules and logs, port by port.
    clusters: uniqueSorted([...ports.map((p) => p.localApp), ...ports.flatMap((p) => p.clusters)]),
  };
}

/** The inbound resources of a proxy, memoised by content (see the module comment). */
export function sharedInbound(proxy: ProxyIR, config: XdsTranslateConfig): InboundResources {
  const configJson = contentJson(config);
  const keys = proxy.ports.map((port) => portKey(port, proxy.workload));
  return byProxy.get(`${configJson}\n${keys.join('\n')}`, () => {
    const ports = proxy.ports.map((port, i) =>
      byPort.get(`${configJson}\n${keys[i] ?? ''}`, () => buildPort(port, proxy, config)),
    );
    return buildInbound(ports, config);
  });
}
