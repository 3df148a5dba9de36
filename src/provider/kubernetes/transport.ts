/**
 * How the provider talks to the API server: list a collection, watch it from a resourceVersion. The client-node
 * implementation lists with `KubernetesObjectApi` (paginated) and watches with client-node's `Watch` (bookmarks allowed); tests
 * may pass their own. Objects come back as plain JSON with `apiVersion` and `kind` set (list items lack them).
 */
import { CustomObjectsApi, KubernetesObjectApi, Watch } from '@kubernetes/client-node';
import type { KubeConfig } from '@kubernetes/client-node';
import type { WatchedKind } from './kinds.js';

/** A Kubernetes object as plain JSON. */
export type RawObject = Record<string, unknown>;

/** A list answer. */
export interface ListResult {
  /** The objects. */
  readonly items: RawObject[];
  /** The list's resourceVersion (opaque). */
  readonly resourceVersion: string;
}

/** An open watch. */
export interface WatchHandle {
  /** Ends the watch; its done callback may still be called. */
  abort(): void;
}

/** A watch event's callback: `type` is ADDED, MODIFIED, DELETED, BOOKMARK or ERROR. */
export type WatchEvent = (type: string, object: RawObject) => void;

/** List and watch, for one watched type at a time. */
export interface KubeTransport {
  /** Lists every object of the type (cluster-wide). */
  list(kind: WatchedKind): Promise<ListResult>;
  /** Watches from `resourceVersion`; `done` is called once when the watch ends (error, or null for a clean end). */
  watch(
    kind: WatchedKind,
    resourceVersion: string,
    onEvent: WatchEvent,
    done: (error: unknown) => void,
  ): Promise<WatchHandle>;
}

/**
 * A plain-JSON copy of an object with its type set (typed client models and Dates become JSON), without
 * `metadata.managedFields` (often the larger part of an object, never read).
 */
function plain(kind: WatchedKind, object: unknown): RawObject {
  const copy = JSON.parse(JSON.stringify(object)) as RawObject;
  const metadata = copy['metadata'];
  if (typeof metadata === 'object' && metadata !== null)
    delete (metadata as Record<string, unknown>)['managedFields'];
  return { ...copy, apiVersion: kind.apiVersion, kind: kind.kind };
}

/** Objects per list page (client-go's pager default). */
export const LIST_PAGE_SIZE = 500;

/** What a list page carries. */
interface ListPage {
  items: unknown[];
  metadata?: { resourceVersion?: string };
}

type PageArgs = [
  undefined,
  undefined,
  undefined,
  undefined,
  undefined,
  undefined,
  number,
  string | undefined,
];

/** The positional arguments of `KubernetesObjectApi.list` after apiVersion and kind: limit and continue. */
function pageArgs(token: string | undefined): PageArgs {
  return [undefined, undefined, undefined, undefined, undefined, undefined, LIST_PAGE_SIZE, token];
}

/** The continue token of a list page (typed lists name it `_continue`), or undefined on the last page. */
function continueOf(metadata: unknown): string | undefined {
  const meta = (metadata ?? {}) as { _continue?: unknown; continue?: unknown };
  const token = meta._continue ?? meta.continue;
  return typeof token === 'string' && token !== '' ? token : undefined;
}

/** The client-node transport for a KubeConfig: lists are paginated ({@link LIST_PAGE_SIZE} per page). */
export function clientNodeTransport(kubeConfig: KubeConfig): KubeTransport {
  const objects = KubernetesObjectApi.makeApiClient(kubeConfig);
  const customObjects = kubeConfig.makeApiClient(CustomObjectsApi);
  const watcher = new Watch(kubeConfig);
  /** One page; custom resources through CustomObjectsApi (KubernetesObjectApi drops their continue token). */
  const listPage = async (kind: WatchedKind, token: string | undefined): Promise<ListPage> => {
    if (kind.custom === undefined) return objects.list(kind.apiVersion, kind.kind, ...pageArgs(token));
    const answer = (await customObjects.listClusterCustomObject({
      ...kind.custom,
      limit: LIST_PAGE_SIZE,
      ...(token === undefined ? {} : { _continue: token }),
    })) as ListPage;
    return answer;
  };
  return {
    async list(kind) {
      const items: RawObject[] = [];
      let resourceVersion = '';
      let token: string | undefined;
      do {
        const answer = await listPage(kind, token);
        items.push(...answer.items.map((item) => plain(kind, item)));
        resourceVersion = answer.metadata?.resourceVersion ?? resourceVersion;
        token = continueOf(answer.metadata);
      } while (token !== undefined);
      return { items, resourceVersion };
    },
    async watch(kind, resourceVersion, onEvent, done) {
      const query: Record<string, string | boolean> = { allowWatchBookmarks: true };
      if (resourceVersion !== '') query['resourceVersion'] = resourceVersion;
      const controller = await watcher.watch(
        kind.path,
        query,
        (type: string, object: unknown) =>
          onEvent(type, type === 'ERROR' ? (object as RawObject) : plain(kind, object)),
        done,
      );
      return { abort: () => controller.abort() };
    },
  };
}
