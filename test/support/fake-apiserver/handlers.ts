/**
 * The REST verbs of the fake API server over the store: list, get, create, update (PUT), patch, delete and
 * delete-collection, on the main resource and on `/status`; TokenReviews are answered, not stored.
 */
import { ApiError } from './errors.js';
import { clone, metadataOf, metaString } from './objects.js';
import type { KubeObject } from './objects.js';
import { applyPatch } from './patch.js';
import type { Route } from './paths.js';
import { apiVersionOf } from './resources.js';
import type { ResourceType } from './resources.js';
import type { Selector } from './selectors.js';
import type { ObjectStore, WritePart } from './store.js';
import type { TokenReviews } from './token-review.js';

/** One REST call, parsed. */
export interface RestCall {
  /** HTTP method. */
  readonly method: string;
  /** Target. */
  readonly route: Route;
  /** Label and field selectors combined (lists). */
  readonly selector: Selector;
  /** Parsed body. */
  readonly body: unknown;
  /** Content-Type (patches). */
  readonly contentType: string;
  /** `limit` of a list, when given. */
  readonly limit?: number;
  /** `continue` of a list, when given. */
  readonly continueToken?: string;
}

/** What a handler answers. */
export interface RestAnswer {
  /** HTTP code. */
  readonly code: number;
  /** JSON body. */
  readonly body: unknown;
}

/** The store and token table the handlers work on. */
export interface RestContext {
  /** Objects. */
  readonly store: ObjectStore;
  /** TokenReview answers. */
  readonly tokens: TokenReviews;
}

function typed(resource: ResourceType, obj: KubeObject): KubeObject {
  return { ...obj, apiVersion: apiVersionOf(resource), kind: resource.kind };
}

function bodyObject(body: unknown): KubeObject {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new ApiError(400, 'BadRequest', 'request body must be a JSON object');
  return body as KubeObject;
}

function part(route: Route): WritePart {
  if (route.subresource === undefined) return 'main';
  if (route.subresource === 'status' && route.resource.statusSubresource) return 'status';
  throw new ApiError(404, 'NotFound', `no subresource ${route.subresource} on ${route.resource.plural}`);
}

function scopeNamespace(route: Route): string | undefined {
  return route.allNamespaces || !route.resource.namespaced ? undefined : route.namespace;
}

/** Remaining items of paginated lists, by continue token (a consistent snapshot per list, as etcd gives). */
const pages = new Map<string, { items: KubeObject[]; resourceVersion: string }>();
let nextToken = 0;

/** One page of `items` (all of them without `limit`), with a continue token when more remain. */
function page(
  items: KubeObject[],
  resourceVersion: string,
  limit: number | undefined,
): Record<string, unknown> {
  if (limit === undefined || limit <= 0 || items.length <= limit)
    return { metadata: { resourceVersion }, items };
  nextToken += 1;
  const token = `page-${nextToken}`;
  pages.set(token, { items: items.slice(limit), resourceVersion });
  const metadata = { resourceVersion, continue: token, remainingItemCount: items.length - limit };
  return { metadata, items: items.slice(0, limit) };
}

function list(ctx: RestContext, call: RestCall): RestAnswer {
  const { resource } = call.route;
  const head = { apiVersion: apiVersionOf(resource), kind: `${resource.kind}List` };
  if (call.continueToken !== undefined) {
    const rest = pages.get(call.continueToken);
    if (rest === undefined) throw new ApiError(410, 'Expired', 'the provided continue parameter is too old');
    pages.delete(call.continueToken);
    return { code: 200, body: { ...head, ...page(rest.items, rest.resourceVersion, call.limit) } };
  }
  const items = ctx.store
    .list(resource, scopeNamespace(call.route))
    .filter(call.selector)
    .map((obj) => typed(resource, obj));
  return { code: 200, body: { ...head, ...page(items, ctx.store.currentVersion(), call.limit) } };
}

function current(ctx: RestContext, route: Route, name: string): KubeObject {
  const found = ctx.store.get(route.resource, route.namespace, name);
  if (found === undefined)
    throw new ApiError(404, 'NotFound', `${route.resource.plural} "${name}" not found`);
  return found;
}

function create(ctx: RestContext, call: RestCall): RestAnswer {
  const { resource, namespace } = call.route;
  const input = bodyObject(call.body);
  if (resource.virtual) return { code: 201, body: typed(resource, ctx.tokens.answer(input)) };
  const stored = ctx.store.create(resource, namespace, typed(resource, input));
  return { code: 201, body: stored };
}

function update(ctx: RestContext, call: RestCall, name: string): RestAnswer {
  const input = clone(bodyObject(call.body));
  const bodyName = metaString(input, 'name');
  if (bodyName !== '' && bodyName !== name)
    throw new ApiError(
      400,
      'BadRequest',
      `the name of the object (${bodyName}) does not match the URL (${name})`,
    );
  metadataOf(input)['name'] = name;
  const { resource, namespace } = call.route;
  return {
    code: 200,
    body: ctx.store.replace(resource, namespace, typed(resource, input), part(call.route)),
  };
}

function patch(ctx: RestContext, call: RestCall, name: string): RestAnswer {
  const old = current(ctx, call.route, name);
  const patched = applyPatch(call.contentType, old, call.body);
  metadataOf(patched)['name'] = name;
  const { resource, namespace } = call.route;
  return {
    code: 200,
    body: ctx.store.replace(resource, namespace, typed(resource, patched), part(call.route)),
  };
}

function deleteCollection(ctx: RestContext, call: RestCall): RestAnswer {
  const answer = list(ctx, call).body as { items: KubeObject[] };
  for (const obj of answer.items)
    ctx.store.remove(call.route.resource, metaString(obj, 'namespace'), metaString(obj, 'name'));
  return { code: 200, body: answer };
}

function onCollection(ctx: RestContext, call: RestCall): RestAnswer {
  if (call.method === 'GET') return list(ctx, call);
  if (call.method === 'POST') return create(ctx, call);
  if (call.method === 'DELETE') return deleteCollection(ctx, call);
  throw new ApiError(405, 'MethodNotAllowed', `${call.method} is not allowed on a collection`);
}

function onObject(ctx: RestContext, call: RestCall, name: string): RestAnswer {
  const { resource, namespace } = call.route;
  switch (call.method) {
    case 'GET':
      part(call.route);
      return { code: 200, body: typed(resource, current(ctx, call.route, name)) };
    case 'PUT':
      return update(ctx, call, name);
    case 'PATCH':
      return patch(ctx, call, name);
    case 'DELETE':
      return { code: 200, body: typed(resource, ctx.store.remove(resource, namespace, name)) };
    default:
      throw new ApiError(405, 'MethodNotAllowed', `${call.method} is not allowed on an object`);
  }
}

/** Serves one non-watch REST call. */
export function handleRest(ctx: RestContext, call: RestCall): RestAnswer {
  const name = call.route.name;
  return name === undefined ? onCollection(ctx, call) : onObject(ctx, call, name);
}
