/**
 * Request paths of the Kubernetes REST API, parsed: `/api/v1/...` (core) and `/apis/<group>/<version>/...`, with
 * `namespaces/<ns>/` for namespaced resources and an optional subresource (`status`).
 */
import { ApiError } from './errors.js';
import type { ResourceRegistry, ResourceType } from './resources.js';

/** A request's target. */
export interface Route {
  /** The resource type. */
  readonly resource: ResourceType;
  /** Namespace ('' for cluster-scoped objects or all namespaces). */
  readonly namespace: string;
  /** Whether the request is across all namespaces (namespaced type listed without a namespace). */
  readonly allNamespaces: boolean;
  /** Object name, when the path names one. */
  readonly name?: string;
  /** Subresource (`status`), when the path has one. */
  readonly subresource?: string;
}

function groupVersion(parts: string[]): { group: string; version: string; rest: string[] } | undefined {
  if (parts[0] === 'api' && parts[1] !== undefined)
    return { group: '', version: parts[1], rest: parts.slice(2) };
  if (parts[0] === 'apis' && parts[1] !== undefined && parts[2] !== undefined)
    return { group: parts[1], version: parts[2], rest: parts.slice(3) };
  return undefined;
}

function namespacedRoute(
  registry: ResourceRegistry,
  gv: { group: string; version: string; rest: string[] },
): Route | undefined {
  const [first, ns, plural, name, sub] = gv.rest;
  if (first !== 'namespaces' || ns === undefined || plural === undefined) return undefined;
  const resource = registry.byPath(gv.group, gv.version, plural);
  if (resource === undefined || !resource.namespaced) return undefined;
  return { resource, namespace: ns, allNamespaces: false, name, subresource: sub };
}

/** Parses a request path; undefined when it is not a resource path (discovery and the like). */
export function parseRoute(registry: ResourceRegistry, pathname: string): Route | undefined {
  const parts = pathname.split('/').filter((p) => p !== '');
  const gv = groupVersion(parts);
  if (gv === undefined || gv.rest.length === 0) return undefined;
  const namespaced = namespacedRoute(registry, gv);
  if (namespaced !== undefined) return namespaced;
  const [plural = '', name, sub] = gv.rest;
  const resource = registry.byPath(gv.group, gv.version, plural);
  if (resource === undefined)
    throw new ApiError(404, 'NotFound', `the server could not find the requested resource`);
  if (resource.namespaced && name !== undefined)
    throw new ApiError(404, 'NotFound', `${plural} is namespaced: use /namespaces/<ns>/${plural}`);
  return { resource, namespace: '', allNamespaces: resource.namespaced, name, subresource: sub };
}
