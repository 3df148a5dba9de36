/** The Envoy resources one proxy receives, by xDS type. */
import type { Cluster } from '../../gen/envoy/config/cluster/v3/cluster.js';
import type { ClusterLoadAssignment } from '../../gen/envoy/config/endpoint/v3/endpoint.js';
import type { Listener } from '../../gen/envoy/config/listener/v3/listener.js';
import type { RouteConfiguration } from '../../gen/envoy/config/route/v3/route.js';
import type { Secret } from '../../gen/envoy/extensions/transport_sockets/tls/v3/secret.js';
import type { UnknownMessage } from '../proto/registry.js';

/** xDS type URLs of the resource types aspen serves. */
export const TypeUrl = {
  Listener: 'type.googleapis.com/envoy.config.listener.v3.Listener',
  RouteConfiguration: 'type.googleapis.com/envoy.config.route.v3.RouteConfiguration',
  Cluster: 'type.googleapis.com/envoy.config.cluster.v3.Cluster',
  ClusterLoadAssignment: 'type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment',
  Secret: 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret',
} as const;

/** Everything one proxy receives, each list sorted by name. Secrets are SDS names only: no key material here. */
export interface XdsResources {
  /** LDS. */
  listeners: Listener[];
  /** RDS. */
  routes: RouteConfiguration[];
  /** CDS. */
  clusters: Cluster[];
  /** EDS. */
  endpoints: ClusterLoadAssignment[];
  /** SDS (served by the workload CA; never produced by the translator, which only references names). */
  secrets: Secret[];
}

/** One resource with its xDS name. */
export interface NamedResource {
  /** The resource name (ClusterLoadAssignment: its cluster name). */
  name: string;
  /** The message. */
  message: UnknownMessage;
}

/** Resources grouped by type URL, in a fixed type order, each group sorted by name. */
export function byTypeUrl(resources: XdsResources): { typeUrl: string; resources: NamedResource[] }[] {
  const named = (list: { name: string; $type: string }[]): NamedResource[] =>
    sortedByName(list.map((message) => ({ name: message.name, message })));
  return [
    { typeUrl: TypeUrl.Listener, resources: named(resources.listeners) },
    { typeUrl: TypeUrl.RouteConfiguration, resources: named(resources.routes) },
    { typeUrl: TypeUrl.Cluster, resources: named(resources.clusters) },
    {
      typeUrl: TypeUrl.ClusterLoadAssignment,
      resources: sortedByName(resources.endpoints.map((message) => ({ name: message.clusterName, message }))),
    },
    { typeUrl: TypeUrl.Secret, resources: named(resources.secrets) },
  ];
}

/** Sorts by name in place; a list already in strictly increasing order (the translator's) is left as it is. */
function sortedByName(list: NamedResource[]): NamedResource[] {
  for (let i = 1; i < list.length; i += 1) {
    if (!((list[i - 1] as NamedResource).name < (list[i] as NamedResource).name)) {
      return list.sort((a, b) => (a.name < b.name ? -1 : 1));
    }
  }
  return list;
}

/** The lists of `XdsResources` in the fixed type order of {@link byTypeUrl}, with how each names its resources. */
const LISTS: readonly {
  typeUrl: string;
  list: (r: XdsResources) => readonly UnknownMessage[];
  key: string;
}[] = [
  { typeUrl: TypeUrl.Listener, list: (r) => r.listeners, key: 'name' },
  { typeUrl: TypeUrl.RouteConfiguration, list: (r) => r.routes, key: 'name' },
  { typeUrl: TypeUrl.Cluster, list: (r) => r.clusters, key: 'name' },
  { typeUrl: TypeUrl.ClusterLoadAssignment, list: (r) => r.endpoints, key: 'clusterName' },
  { typeUrl: TypeUrl.Secret, list: (r) => r.secrets, key: 'name' },
];

function nameOf(message: UnknownMessage, key: string): string {
  return (message as unknown as Record<string, string>)[key] as string;
}

function strictlySorted(list: readonly UnknownMessage[], key: string): boolean {
  for (let i = 1; i < list.length; i += 1) {
    if (!(nameOf(list[i - 1] as UnknownMessage, key) < nameOf(list[i] as UnknownMessage, key))) return false;
  }
  return true;
}

/**
 * Calls `visit` on every resource in the order of {@link byTypeUrl} (type, then name), without building its lists
 * when the translator's lists are already in name order (they are: the per-proxy fast path).
 */
export function forEachByType(
  resources: XdsResources,
  visit: (typeUrl: string, name: string, message: UnknownMessage) => void,
): void {
  for (const { typeUrl, list, key } of LISTS) {
    const messages = list(resources);
    if (strictlySorted(messages, key)) {
      for (const message of messages) visit(typeUrl, nameOf(message, key), message);
      continue;
    }
    const group = byTypeUrl(resources).find((g) => g.typeUrl === typeUrl);
    for (const { name, message } of group?.resources ?? []) visit(typeUrl, name, message);
  }
}

/**
 * Lists that many proxies receive as the very same message objects (the outbound side, ADR 26), as the translator
 * placed them in one proxy's resources. The check verifies them once per part instead of once per proxy (ADR 34).
 */
export interface SharedPart {
  /** Shared listeners, sorted by name. */
  readonly listeners: readonly Listener[];
  /** Shared route configurations, sorted by name. */
  readonly routes: readonly RouteConfiguration[];
  /** Shared clusters, sorted by name. */
  readonly clusters: readonly Cluster[];
}

const sharedParts = new WeakMap<XdsResources, SharedPart>();

/**
 * Records that `resources` holds (some of) the objects of `shared`: a hint, never trusted: the check confirms, by
 * object identity, that every object of the part is in the lists, and checks everything in full otherwise.
 */
export function withSharedPart(resources: XdsResources, shared: SharedPart): XdsResources {
  sharedParts.set(resources, shared);
  return resources;
}

/** The shared part recorded for these resources, if any (see {@link withSharedPart}). */
export function sharedPartOf(resources: XdsResources): SharedPart | undefined {
  return sharedParts.get(resources);
}
