/**
 * Load-time checks Envoy performs that the proto rules do not express: the router is the last HTTP filter, every
 * name a resource references exists in the set sent to the proxy (RDS route configurations, clusters, SDS secrets,
 * JWT providers and requirements), no two filter chains of a listener match alike, and every `safe_regex` compiles as
 * RE2.
 */
import type { GrpcService } from '../../gen/envoy/config/core/v3/grpc_service.js';
import type { HttpUri } from '../../gen/envoy/config/core/v3/http_uri.js';
import type { Listener } from '../../gen/envoy/config/listener/v3/listener.js';
import type { RouteAction } from '../../gen/envoy/config/route/v3/route_components.js';
import type {
  JwtAuthentication,
  JwtRequirement,
  PerRouteConfig,
  ProviderWithAudiences,
} from '../../gen/envoy/extensions/filters/http/jwt_authn/v3/config.js';
import type { TcpProxy } from '../../gen/envoy/extensions/filters/network/tcp_proxy/v3/tcp_proxy.js';
import type { HttpConnectionManager } from '../../gen/envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.js';
import type { SdsSecretConfig } from '../../gen/envoy/extensions/transport_sockets/tls/v3/secret.js';
import type { RegexMatcher } from '../../gen/envoy/type/matcher/v3/regex.js';
import { messageDescriptor as messageDescriptorOf } from '../proto/descriptors.js';
import { fullNameOf } from '../proto/registry.js';
import { duplicateFilterChainMatches } from './filter-chains.js';
import { re2Problem } from './re2.js';
import type { RuleViolation } from './violation.js';
import { collectMessages, findMessages } from './walk.js';
import type { Visited } from './walk.js';

/** A set of names, as far as the reference checks ask it (a `Set`, or a union of sets). */
export interface NameSet {
  /** Whether the name is in the set. */
  has(name: string): boolean;
}

/** The names a proxy's resource set defines, that references must resolve to. */
export interface KnownNames {
  /** Route configuration names (RDS). */
  routes: NameSet;
  /** Cluster names (CDS). */
  clusters: NameSet;
  /** SDS secret names the proxy can obtain. */
  secrets: NameSet;
  /** Names in the `requirement_map` of any jwt_authn filter the proxy's listeners hold. */
  jwtRequirements: NameSet;
}

const T = {
  hcm: 'envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
  router: 'envoy.extensions.filters.http.router.v3.Router',
  routeAction: 'envoy.config.route.v3.RouteAction',
  tcpProxy: 'envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy',
  grpcService: 'envoy.config.core.v3.GrpcService',
  httpUri: 'envoy.config.core.v3.HttpUri',
  sds: 'envoy.extensions.transport_sockets.tls.v3.SdsSecretConfig',
  jwt: 'envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication',
  jwtPerRoute: 'envoy.extensions.filters.http.jwt_authn.v3.PerRouteConfig',
  regex: 'envoy.type.matcher.v3.RegexMatcher',
  xdsRegex: 'xds.type.matcher.v3.RegexMatcher',
  listener: 'envoy.config.listener.v3.Listener',
} as const;

/** Every message of one type inside a resource, typed. */
function find<M>(found: Found, typeName: string): { message: M; path: string }[] {
  return (found.get(typeName) ?? []).map((v) => ({ message: v.message as M, path: v.path }));
}

/** The messages inside one resource that reference checks look at, by type: collected in one walk. */
export type Found = ReadonlyMap<string, Visited[]>;

const WANTED: ReadonlySet<string> = new Set(Object.values(T));

/** Collects, in one walk of a resource (Any contents included), every message the reference checks need. */
export function collectReferences(root: Visited): Found {
  return collectMessages(root, WANTED);
}

/** Router last in every HCM, and nowhere else. */
function checkRouterLast(hcm: HttpConnectionManager, path: string): RuleViolation[] {
  const out: RuleViolation[] = [];
  const filters = hcm.httpFilters;
  filters.forEach((filter, i) => {
    const config = filter.configType;
    const isRouter = config?.$case === 'typedConfig' && fullNameOf(config.value.typeUrl) === T.router;
    const last = i === filters.length - 1;
    if (isRouter !== last) {
      const message = last
        ? `the last HTTP filter (${filter.name}) must be the router (${T.router})`
        : `the router (${filter.name}) is a terminal filter and must be the last HTTP filter`;
      out.push({ path: `${path}.http_filters[${i}]`, message });
    }
  });
  if (filters.length === 0)
    out.push({ path: `${path}.http_filters`, message: 'no HTTP filters: the router must be last' });
  return out;
}

/** A name a resource refers to, which must be among the proxy's known names of its kind. */
export interface NameRef {
  /** Which known names it must be in. */
  readonly kind: keyof KnownNames;
  /** The name. */
  readonly name: string;
  /** The violation reported when it is missing. */
  readonly missing: RuleViolation;
}

function hcmRoutes(hcm: HttpConnectionManager, path: string): NameRef[] {
  const rds = hcm.routeSpecifier?.$case === 'rds' ? hcm.routeSpecifier.value.routeConfigName : undefined;
  if (rds === undefined) return [];
  const missing = {
    path: `${path}.rds.route_config_name`,
    message: `route configuration "${rds}" is not in the routes sent`,
  };
  return [{ kind: 'routes', name: rds, missing }];
}

function clusterRef([name, path]: [string, string]): NameRef[] {
  if (name === '') return [];
  return [
    { kind: 'clusters', name, missing: { path, message: `cluster "${name}" is not in the clusters sent` } },
  ];
}

/** The clusters a route action sends or mirrors to (clusters chosen from a header are resolved per request). */
function routeClusters(action: RouteAction, path: string): [string, string][] {
  const spec = action.clusterSpecifier;
  const named: [string, string][] = [];
  if (spec?.$case === 'cluster') named.push([spec.value, `${path}.cluster`]);
  if (spec?.$case === 'weightedClusters') {
    spec.value.clusters.forEach((c, i) =>
      named.push([c.name, `${path}.weighted_clusters.clusters[${i}].name`]),
    );
  }
  action.requestMirrorPolicies.forEach((m, i) =>
    named.push([m.cluster, `${path}.request_mirror_policies[${i}].cluster`]),
  );
  return named;
}

/** The clusters a TCP proxy sends to. */
function tcpClusters(proxy: TcpProxy, path: string): [string, string][] {
  const spec = proxy.clusterSpecifier;
  if (spec?.$case === 'cluster') return [[spec.value, `${path}.cluster`]];
  if (spec?.$case !== 'weightedClusters') return [];
  return spec.value.clusters.map((c, i) => [c.name, `${path}.weighted_clusters.clusters[${i}].name`]);
}

/** Clusters referenced by routes, TCP proxies, gRPC services (ext_authz, rate limit, access log …) and HTTP URIs (remote JWKS). */
function clusterRefs(found: Found): NameRef[] {
  const refs: [string, string][] = [
    ...find<RouteAction>(found, T.routeAction).flatMap((r) => routeClusters(r.message, r.path)),
    ...find<TcpProxy>(found, T.tcpProxy).flatMap((t) => tcpClusters(t.message, t.path)),
    ...find<GrpcService>(found, T.grpcService).flatMap(({ message, path }) =>
      message.targetSpecifier?.$case === 'envoyGrpc'
        ? [[message.targetSpecifier.value.clusterName, `${path}.envoy_grpc.cluster_name`] as [string, string]]
        : [],
    ),
    ...find<HttpUri>(found, T.httpUri).flatMap(({ message, path }) =>
      message.httpUpstreamType?.$case === 'cluster'
        ? [[message.httpUpstreamType.value, `${path}.cluster`] as [string, string]]
        : [],
    ),
  ];
  return refs.flatMap(clusterRef);
}

function secretRefs(found: Found): NameRef[] {
  return find<SdsSecretConfig>(found, T.sds).map(({ message, path }) => ({
    kind: 'secrets',
    name: message.name,
    missing: { path: `${path}.name`, message: `SDS secret "${message.name}" is not a known SDS name` },
  }));
}

const JWT_PKG = 'envoy.extensions.filters.http.jwt_authn.v3';
const JWT_PROVIDER_REFS: ReadonlySet<string> = new Set([
  `${JWT_PKG}.JwtRequirement`,
  `${JWT_PKG}.ProviderWithAudiences`,
]);

/** Every provider name a jwt_authn config uses (in requirements, nested ones included), with its path. */
function jwtProviderRefs(jwt: JwtAuthentication, path: string): [string, string][] {
  const root: Visited = { desc: messageDescriptorOf(T.jwt), message: jwt, path };
  return findMessages(root, JWT_PROVIDER_REFS).flatMap((v): [string, string][] => {
    if (v.desc.typeName.endsWith('.ProviderWithAudiences')) {
      return [[(v.message as ProviderWithAudiences).providerName, `${v.path}.provider_name`]];
    }
    const spec = (v.message as JwtRequirement).requiresType;
    return spec?.$case === 'providerName' ? [[spec.value, `${v.path}.provider_name`]] : [];
  });
}

/** Provider and requirement names used inside one jwt_authn config must be defined in it. */
function checkJwt(jwt: JwtAuthentication, path: string): RuleViolation[] {
  const providers = new Set(Object.keys(jwt.providers));
  const requirements = new Set(Object.keys(jwt.requirementMap));
  const out = jwtProviderRefs(jwt, path)
    .filter(([name]) => !providers.has(name))
    .map(([name, p]) => ({ path: p, message: `JWT provider "${name}" is not defined in providers` }));
  jwt.rules.forEach((rule, i) => {
    const spec = rule.requirementType;
    if (spec?.$case === 'requirementName' && !requirements.has(spec.value)) {
      out.push({
        path: `${path}.rules[${i}].requirement_name`,
        message: `JWT requirement "${spec.value}" is not in requirement_map`,
      });
    }
  });
  return out;
}

/** The requirement names of every jwt_authn filter inside a resource. */
export function jwtRequirementNames(found: Found): string[] {
  return find<JwtAuthentication>(found, T.jwt).flatMap(({ message }) => Object.keys(message.requirementMap));
}

/** A route's jwt_authn per-route config may only name a requirement the jwt_authn filter defines. */
function jwtPerRouteRefs(found: Found): NameRef[] {
  return find<PerRouteConfig>(found, T.jwtPerRoute).flatMap(({ message, path }): NameRef[] => {
    const spec = message.requirementSpecifier;
    if (spec?.$case !== 'requirementName') return [];
    const missing = {
      path: `${path}.requirement_name`,
      message: `JWT requirement "${spec.value}" is not in any jwt_authn requirement_map`,
    };
    return [{ kind: 'jwtRequirements', name: spec.value, missing }];
  });
}

function checkRegexes(found: Found): RuleViolation[] {
  return find<RegexMatcher>(found, T.regex)
    .concat(find<RegexMatcher>(found, T.xdsRegex))
    .flatMap(({ message, path }) => {
      const problem = re2Problem(message.regex);
      return problem === undefined
        ? []
        : [{ path: `${path}.regex`, message: `regex does not compile as RE2: ${problem}` }];
    });
}

/** Every name one resource refers to (from the messages `collectReferences` found in it), in check order. */
export function nameReferences(found: Found): NameRef[] {
  return [
    ...find<HttpConnectionManager>(found, T.hcm).flatMap(({ message, path }) => hcmRoutes(message, path)),
    ...clusterRefs(found),
    ...secretRefs(found),
    ...jwtPerRouteRefs(found),
  ];
}

/** The problems of references that must resolve inside the resource itself (router last, JWT, RE2, chains). */
export function selfReferenceProblems(root: Visited, found: Found): RuleViolation[] {
  return [
    ...find<HttpConnectionManager>(found, T.hcm).flatMap(({ message, path }) =>
      checkRouterLast(message, path),
    ),
    ...find<JwtAuthentication>(found, T.jwt).flatMap(({ message, path }) => checkJwt(message, path)),
    ...checkRegexes(found),
    ...(root.desc.typeName === T.listener ? duplicateFilterChainMatches(root.message as Listener) : []),
  ];
}

/** The references among `refs` whose names are not in the proxy's set. */
export function missingNames(refs: readonly NameRef[], known: KnownNames): RuleViolation[] {
  let out: RuleViolation[] | undefined;
  for (const ref of refs) {
    if (!known[ref.kind].has(ref.name)) (out ??= []).push(ref.missing);
  }
  return out ?? [];
}

/**
 * Every load-time reference problem in one resource (given as the root of a walk), from the messages
 * `collectReferences` found in it: those inside the resource, then names missing from the proxy's set.
 */
export function checkReferences(
  root: Visited,
  known: KnownNames,
  found = collectReferences(root),
): RuleViolation[] {
  return [...selfReferenceProblems(root, found), ...missingNames(nameReferences(found), known)];
}
