/**
 * Watches: a chunked HTTP response of JSON lines `{type, object}`. Without a resourceVersion (or with "0") the
 * current objects arrive as ADDED first; with one, the history after it is replayed, or — when that history was
 * compacted — an ERROR event carrying a 410 `Status` ends the watch, as the API server does. Test hooks end every
 * open watch (cleanly or abruptly) and send bookmarks.
 */
import type { ServerResponse } from 'node:http';
import { gone, statusBody } from './errors.js';
import type { ApiError } from './errors.js';
import { clone, metaString } from './objects.js';
import type { KubeObject } from './objects.js';
import type { Route } from './paths.js';
import { apiVersionOf } from './resources.js';
import type { Selector } from './selectors.js';
import type { ObjectStore, StoreEvent } from './store.js';

/** What a watch request asked for. */
export interface WatchRequest {
  /** The resource (and namespace) watched. */
  readonly route: Route;
  /** `resourceVersion` query parameter ('' when absent). */
  readonly resourceVersion: string;
  /** Label and field selectors, combined. */
  readonly selector: Selector;
  /** Whether the client allowed bookmarks. */
  readonly bookmarks: boolean;
}

interface OpenWatch {
  readonly request: WatchRequest;
  readonly res: ServerResponse;
  readonly close: () => void;
}

function withType(route: Route, object: KubeObject): KubeObject {
  return { ...clone(object), apiVersion: apiVersionOf(route.resource), kind: route.resource.kind };
}

function inScope(request: WatchRequest, event: StoreEvent): boolean {
  const route = request.route;
  if (event.resource !== route.resource) return false;
  if (
    !route.allNamespaces &&
    route.resource.namespaced &&
    metaString(event.object, 'namespace') !== route.namespace
  )
    return false;
  return request.selector(event.object);
}

/** The open watches of one server. */
export class Watches {
  private readonly open = new Set<OpenWatch>();
  private readonly store: ObjectStore;
  private readonly changed: () => void;

  /** Watches over `store`; `changed` is called whenever a watch opens or closes. */
  constructor(store: ObjectStore, changed: () => void) {
    this.store = store;
    this.changed = changed;
  }

  /** How many watches are open (optionally of one plural). */
  count(plural?: string): number {
    return [...this.open].filter((w) => plural === undefined || w.request.route.resource.plural === plural)
      .length;
  }

  /** Serves a watch on `res` until the client goes away or a hook ends it. */
  serve(request: WatchRequest, res: ServerResponse): void {
    const send = (type: string, object: KubeObject): void => {
      res.write(`${JSON.stringify({ type, object })}\n`);
    };
    const start = this.startRevision(request);
    res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    res.flushHeaders();
    if (typeof start !== 'number') {
      send('ERROR', statusBody(start));
      res.end();
      return;
    }
    this.replay(request, start, send);
    const unsubscribe = this.store.subscribe((event) => {
      if (inScope(request, event)) send(event.type, withType(request.route, event.object));
    });
    const entry: OpenWatch = { request, res, close: unsubscribe };
    this.open.add(entry);
    res.on('close', () => {
      unsubscribe();
      this.open.delete(entry);
      this.changed();
    });
    this.changed();
  }

  /** Ends every open watch: cleanly (end of response) or abruptly (socket destroyed). */
  dropAll(abrupt = false): number {
    const all = [...this.open];
    for (const watch of all) {
      watch.close();
      this.open.delete(watch);
      if (abrupt) watch.res.destroy();
      else watch.res.end();
    }
    this.changed();
    return all.length;
  }

  /** Sends a BOOKMARK with the current resourceVersion to every watch that allowed bookmarks. */
  bookmark(): void {
    for (const watch of this.open) {
      if (!watch.request.bookmarks) continue;
      const object = {
        apiVersion: apiVersionOf(watch.request.route.resource),
        kind: watch.request.route.resource.kind,
        metadata: { resourceVersion: this.store.currentVersion() },
      };
      watch.res.write(`${JSON.stringify({ type: 'BOOKMARK', object })}\n`);
    }
  }

  private startRevision(request: WatchRequest): number | ApiError {
    if (request.resourceVersion === '' || request.resourceVersion === '0') return -1;
    const revision = this.store.decode(request.resourceVersion);
    if (revision === undefined || this.store.eventsSince(revision) === undefined)
      return gone(request.resourceVersion);
    return revision;
  }

  private replay(
    request: WatchRequest,
    start: number,
    send: (type: string, object: KubeObject) => void,
  ): void {
    const route = request.route;
    if (start < 0) {
      const namespace = route.allNamespaces || !route.resource.namespaced ? undefined : route.namespace;
      for (const obj of this.store.list(route.resource, namespace)) {
        if (request.selector(obj)) send('ADDED', withType(route, obj));
      }
      return;
    }
    for (const event of this.store.eventsSince(start) ?? []) {
      if (inScope(request, event)) send(event.type, withType(route, event.object));
    }
  }
}
