/**
 * `startFakeApiServer()`: an in-process Kubernetes API server over real HTTP (loopback, random port) for tests
 * that drive the real @kubernetes/client-node. See index.ts for the API and what it serves.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { ApiError } from './errors.js';
import { Faults } from './faults.js';
import type { FaultOptions, RecordedRequest } from './faults.js';
import { collectGarbage } from './gc.js';
import { handleRest } from './handlers.js';
import type { RestContext } from './handlers.js';
import { discovery } from './discovery.js';
import { readJson, sendError, sendJson } from './http.js';
import { metaString } from './objects.js';
import type { KubeObject } from './objects.js';
import { parseRoute } from './paths.js';
import type { Route } from './paths.js';
import { apiVersionOf, DEFAULT_RESOURCES, ResourceRegistry } from './resources.js';
import type { ResourceType } from './resources.js';
import { fieldSelector, labelSelector } from './selectors.js';
import { ObjectStore } from './store.js';
import { TokenReviews } from './token-review.js';
import { Watches } from './watch.js';

/** Options of {@link startFakeApiServer}. */
export interface FakeApiServerOptions {
  /** Resource types served (default {@link DEFAULT_RESOURCES}). */
  readonly resources?: readonly ResourceType[];
  /** Bearer token clients must send (default `fake-admin-token`); the kubeconfig carries it. */
  readonly token?: string;
  /** Issue non-numeric resourceVersions (proves clients treat them as opaque). */
  readonly opaqueResourceVersions?: boolean;
  /** Clock for creationTimestamp. */
  readonly now?: () => Date;
}

/** A running fake API server and its test hooks. */
export interface FakeApiServer {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** A KubeConfig for @kubernetes/client-node pointing at this server (current context `fake`). */
  readonly kubeConfig: KubeConfig;
  /** The same configuration as kubeconfig file text (for `--kubeconfig`). */
  readonly kubeconfigText: string;
  /** The object store (direct access, bypassing HTTP). */
  readonly store: ObjectStore;
  /** The served resource types. */
  readonly resources: ResourceRegistry;
  /** TokenReview answers: `tokens.allow(token, ns, sa)`. */
  readonly tokens: TokenReviews;
  /** Every request served, oldest first. */
  readonly requests: readonly RecordedRequest[];
  /** Creates or replaces an object (main part and status, no resourceVersion check); returns it as stored. */
  put(obj: KubeObject): KubeObject;
  /** Deletes an object if present; returns whether it existed. */
  remove(apiVersion: string, kind: string, namespace: string, name: string): boolean;
  /** One object, or undefined. */
  get(apiVersion: string, kind: string, namespace: string, name: string): KubeObject | undefined;
  /** Objects of a kind (in one namespace when given). */
  list(apiVersion: string, kind: string, namespace?: string): KubeObject[];
  /** Forgets history: watches from any resourceVersion issued so far get 410 Gone. */
  compact(): void;
  /** Ends every open watch, cleanly (default) or abruptly (socket destroyed); returns how many. */
  dropWatches(options?: { abrupt?: boolean }): number;
  /** Number of open watches (of one plural when given). */
  watchCount(plural?: string): number;
  /** Sends a BOOKMARK to every watch that allowed them. */
  bookmark(): void;
  /** Fails the next `count` requests matching `options`. */
  failNext(count: number, options?: FaultOptions): void;
  /** Deletes objects whose owners are all gone; returns how many. */
  collectGarbage(): number;
  /** Resolves once `predicate` holds, checked after every request and store change. */
  until(predicate: () => boolean): Promise<void>;
  /** Stops the server and closes every connection. */
  close(): Promise<void>;
}

const DEFAULT_TOKEN = 'fake-admin-token';

function queryOf(url: URL): Record<string, string> {
  return Object.fromEntries(url.searchParams.entries());
}

function makeKubeConfig(url: string, token: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'fake', server: url, skipTLSVerify: true }],
    users: [{ name: 'fake', token }],
    contexts: [{ name: 'fake', cluster: 'fake', user: 'fake' }],
    currentContext: 'fake',
  });
  return kc;
}

interface Parts {
  readonly store: ObjectStore;
  readonly registry: ResourceRegistry;
  readonly faults: Faults;
  readonly watches: Watches;
  readonly ctx: RestContext;
  readonly token: string;
  readonly changed: () => void;
}

/** `limit` and `continue` of a list request, when given. */
function paging(url: URL): { limit?: number; continueToken?: string } {
  const limit = url.searchParams.get('limit');
  const continueToken = url.searchParams.get('continue');
  return {
    ...(limit === null ? {} : { limit: Number(limit) }),
    ...(continueToken === null ? {} : { continueToken }),
  };
}

async function serveRoute(
  parts: Parts,
  req: IncomingMessage,
  res: ServerResponse,
  route: Route,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://fake');
  const selector = (
    (labels, fields) => (obj: KubeObject) =>
      labels(obj) && fields(obj)
  )(
    labelSelector(url.searchParams.get('labelSelector')),
    fieldSelector(url.searchParams.get('fieldSelector')),
  );
  const watch = url.searchParams.get('watch');
  if (req.method === 'GET' && (watch === 'true' || watch === '1')) {
    parts.watches.serve(
      {
        route,
        resourceVersion: url.searchParams.get('resourceVersion') ?? '',
        selector,
        bookmarks: url.searchParams.get('allowWatchBookmarks') === 'true',
      },
      res,
    );
    return;
  }
  const body = await readJson(req);
  const recorded = parts.faults.requests[parts.faults.requests.length - 1];
  if (recorded !== undefined) recorded.body = body;
  const call = {
    method: req.method ?? 'GET',
    route,
    selector,
    body,
    contentType: req.headers['content-type'] ?? '',
    ...paging(url),
  };
  const answer = handleRest(parts.ctx, call);
  sendJson(res, answer.code, answer.body);
}

async function serve(parts: Parts, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://fake');
  const request: RecordedRequest = {
    method: req.method ?? 'GET',
    path: url.pathname,
    query: queryOf(url),
    contentType: req.headers['content-type'] ?? '',
  };
  const injected = parts.faults.admit(request);
  parts.changed();
  if (injected !== undefined) throw injected;
  if (req.headers.authorization !== `Bearer ${parts.token}`)
    throw new ApiError(401, 'Unauthorized', 'Unauthorized');
  const doc = req.method === 'GET' ? discovery(parts.registry, url.pathname) : undefined;
  if (doc !== undefined) {
    sendJson(res, 200, doc);
    return;
  }
  const route = parseRoute(parts.registry, url.pathname);
  if (route === undefined)
    throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
  await serveRoute(parts, req, res, route);
}

function waiters(): { changed: () => void; until: (predicate: () => boolean) => Promise<void> } {
  const pending = new Set<{ predicate: () => boolean; resolve: () => void }>();
  const changed = (): void => {
    for (const waiter of [...pending]) {
      if (waiter.predicate()) {
        pending.delete(waiter);
        waiter.resolve();
      }
    }
  };
  const until = (predicate: () => boolean): Promise<void> =>
    predicate() ? Promise.resolve() : new Promise((resolve) => pending.add({ predicate, resolve }));
  return { changed, until };
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as AddressInfo;
  return `http://127.0.0.1:${address.port}`;
}

/** Starts a fake API server on a random loopback port; see {@link FakeApiServer}. */
export async function startFakeApiServer(options: FakeApiServerOptions = {}): Promise<FakeApiServer> {
  const store = new ObjectStore({ opaqueResourceVersions: options.opaqueResourceVersions, now: options.now });
  const registry = new ResourceRegistry(options.resources ?? DEFAULT_RESOURCES);
  const tokens = new TokenReviews();
  const faults = new Faults();
  const { changed, until } = waiters();
  const watches = new Watches(store, changed);
  const token = options.token ?? DEFAULT_TOKEN;
  store.subscribe(() => changed());
  const parts: Parts = { store, registry, faults, watches, ctx: { store, tokens }, token, changed };
  const server = createServer((req, res) => {
    serve(parts, req, res).catch((error: unknown) => sendError(res, error));
  });
  const url = await listen(server);
  const kubeConfig = makeKubeConfig(url, token);
  const typeOf = (apiVersion: string, kind: string): ResourceType => registry.byKind(apiVersion, kind);
  return {
    url,
    kubeConfig,
    kubeconfigText: kubeConfig.exportConfig(),
    store,
    resources: registry,
    tokens,
    requests: faults.requests,
    put: (obj) => putObject(store, typeOf(String(obj['apiVersion']), String(obj['kind'])), obj),
    remove: (apiVersion, kind, namespace, name) => {
      const type = typeOf(apiVersion, kind);
      if (store.get(type, namespace, name) === undefined) return false;
      store.remove(type, namespace, name);
      return true;
    },
    get: (apiVersion, kind, namespace, name) => store.get(typeOf(apiVersion, kind), namespace, name),
    list: (apiVersion, kind, namespace) => store.list(typeOf(apiVersion, kind), namespace),
    compact: () => store.compact(),
    dropWatches: (drop) => watches.dropAll(drop?.abrupt ?? false),
    watchCount: (plural) => watches.count(plural),
    bookmark: () => watches.bookmark(),
    failNext: (count, fault) => faults.failNext(count, fault),
    collectGarbage: () => collectGarbage(store, registry),
    until,
    close: async () => {
      watches.dropAll(true);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function putObject(store: ObjectStore, type: ResourceType, obj: KubeObject): KubeObject {
  const namespace = type.namespaced ? metaString(obj, 'namespace') || 'default' : '';
  const input: KubeObject = { ...obj, apiVersion: apiVersionOf(type), kind: type.kind };
  const meta = { ...((input['metadata'] ?? {}) as Record<string, unknown>) };
  delete meta['resourceVersion'];
  input['metadata'] = meta;
  if (store.get(type, namespace, metaString(input, 'name')) === undefined)
    return store.create(type, namespace, input);
  store.replace(type, namespace, input, 'main');
  return type.statusSubresource
    ? store.replace(type, namespace, input, 'status')
    : (store.get(type, namespace, metaString(input, 'name')) ?? input);
}
