/**
 * The per-proxy check in time proportional to the proxy's own resources (ADR 0034). Most of a proxy's resources are a
 * part many proxies share as the very same objects (the outbound side; the translator records it with
 * `withSharedPart`). That part's own problems and the names it refers to are worked out once per part; per proxy,
 * what remains is confirming (by object identity) that the part is in the lists, and checking the proxy's own
 * resources against the names of both. This only ever proves a set clean: on any doubt (lists not as translated, a
 * problem anywhere) the full check decides, so results and their order are the full check's.
 */
import type { UnknownMessage } from '../proto/registry.js';
import { sharedPartOf, TypeUrl } from '../translate/resources.js';
import type { SharedPart, XdsResources } from '../translate/resources.js';
import type { CheckOptions } from './check.js';
import { clean, fullNameFor, intrinsic } from './intrinsic.js';
import type { Intrinsic } from './intrinsic.js';
import { missingNames } from './references.js';
import type { KnownNames, NameRef, NameSet } from './references.js';

/** What a shared part holds and needs, worked out once per part and SDS names. */
interface PartSummary {
  /** Whether none of its resources has a problem of its own. */
  clean: boolean;
  /** Its route configuration names. */
  routes: ReadonlySet<string>;
  /** Its cluster names. */
  clusters: ReadonlySet<string>;
  /** The jwt_authn requirement names its listeners define. */
  jwtRequirements: ReadonlySet<string>;
  /** The names its resources refer to that neither the part nor the SDS names provide: checked per proxy. */
  leftover: NameRef[];
}

const summaries = new WeakMap<SharedPart, Map<string, PartSummary>>();

function intrinsics(part: SharedPart): { listeners: Intrinsic[]; all: Intrinsic[] } {
  const listeners = part.listeners.map((m) => intrinsic(fullNameFor(TypeUrl.Listener), m));
  const routes = part.routes.map((m) => intrinsic(fullNameFor(TypeUrl.RouteConfiguration), m));
  const clusters = part.clusters.map((m) => intrinsic(fullNameFor(TypeUrl.Cluster), m));
  return { listeners, all: [...listeners, ...routes, ...clusters] };
}

function summarise(part: SharedPart, sdsSecrets: readonly string[]): PartSummary {
  const { listeners, all } = intrinsics(part);
  const within: KnownNames = {
    routes: new Set(part.routes.map((r) => r.name)),
    clusters: new Set(part.clusters.map((c) => c.name)),
    secrets: new Set(sdsSecrets),
    jwtRequirements: new Set(listeners.flatMap((l) => l.jwtRequirements)),
  };
  return {
    clean: all.every(clean),
    routes: within.routes as ReadonlySet<string>,
    clusters: within.clusters as ReadonlySet<string>,
    jwtRequirements: within.jwtRequirements as ReadonlySet<string>,
    leftover: all.flatMap((own) => own.names.filter((ref) => !within[ref.kind].has(ref.name))),
  };
}

function summaryOf(part: SharedPart, sdsSecrets: readonly string[]): PartSummary {
  let bySecrets = summaries.get(part);
  if (bySecrets === undefined) {
    bySecrets = new Map();
    summaries.set(part, bySecrets);
  }
  const key = JSON.stringify(sdsSecrets);
  let summary = bySecrets.get(key);
  if (summary === undefined) {
    summary = summarise(part, sdsSecrets);
    bySecrets.set(key, summary);
  }
  return summary;
}

/** The objects of `list` that are not `shared`'s; undefined unless every object of `shared` is in it, in order. */
function ownOf<T>(list: readonly T[], shared: readonly T[]): T[] | undefined {
  const own: T[] = [];
  let j = 0;
  for (const item of list) {
    if (j < shared.length && item === shared[j]) j += 1;
    else own.push(item);
  }
  return j === shared.length ? own : undefined;
}

function union(own: ReadonlySet<string>, shared: ReadonlySet<string>): NameSet {
  return { has: (name) => own.has(name) || shared.has(name) };
}

/** The proxy's own resources, by type URL (every resource not in the shared part). */
type Own = [string, readonly UnknownMessage[]][];

function ownResources(resources: XdsResources, part: SharedPart): Own | undefined {
  const listeners = ownOf(resources.listeners, part.listeners);
  const routes = ownOf(resources.routes, part.routes);
  const clusters = ownOf(resources.clusters, part.clusters);
  if (listeners === undefined || routes === undefined || clusters === undefined) return undefined;
  return [
    [TypeUrl.Listener, listeners],
    [TypeUrl.RouteConfiguration, routes],
    [TypeUrl.Cluster, clusters],
    [TypeUrl.ClusterLoadAssignment, resources.endpoints],
    [TypeUrl.Secret, resources.secrets],
  ];
}

function knownNames(
  resources: XdsResources,
  own: Own,
  summary: PartSummary,
  options: CheckOptions,
): KnownNames {
  const ownNames = (typeUrl: string): Set<string> =>
    new Set(
      (own.find(([t]) => t === typeUrl)?.[1] ?? []).map((m) => (m as unknown as { name: string }).name),
    );
  const listener = fullNameFor(TypeUrl.Listener);
  const ownListeners = own.find(([t]) => t === TypeUrl.Listener)?.[1] ?? [];
  const jwt = new Set(ownListeners.flatMap((l) => intrinsic(listener, l).jwtRequirements));
  return {
    routes: union(ownNames(TypeUrl.RouteConfiguration), summary.routes),
    clusters: union(ownNames(TypeUrl.Cluster), summary.clusters),
    secrets: new Set([...options.sdsSecrets, ...resources.secrets.map((s) => s.name)]),
    jwtRequirements: union(jwt, summary.jwtRequirements),
  };
}

/**
 * True when the resources are proven to have no problem at all, from the shared part's checks (done once per part)
 * and the checks of the proxy's own resources; false when the full check must decide.
 */
export function provenClean(resources: XdsResources, options: CheckOptions): boolean {
  const part = sharedPartOf(resources);
  if (part === undefined) return false;
  const own = ownResources(resources, part);
  if (own === undefined) return false;
  const summary = summaryOf(part, options.sdsSecrets);
  if (!summary.clean) return false;
  const known = knownNames(resources, own, summary, options);
  if (missingNames(summary.leftover, known).length > 0) return false;
  for (const [typeUrl, messages] of own) {
    const fullName = fullNameFor(typeUrl);
    for (const message of messages) {
      const checks = intrinsic(fullName, message);
      if (!clean(checks) || missingNames(checks.names, known).length > 0) return false;
    }
  }
  return true;
}
