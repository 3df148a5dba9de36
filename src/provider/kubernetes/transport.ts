/**
 * How the provider talks to the API server: list a collection, watch it from a resourceVersion. The client-node
 * implementation lists with `KubernetesObjectApi` and watches with client-node's `Watch` (bookmarks allowed); tests
 * may pass their own. Objects come back as plain JSON with `apiVersion` and `kind` set (list items lack them).
 */
import { KubernetesObjectApi, Watch } from '@kubernetes/client-node';
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

/** A plain-JSON copy of an object with its type set (typed client models and Dates become JSON). */
function plain(kind: WatchedKind, object: unknown): RawObject {
  const copy = JSON.parse(JSON.stringify(object)) as RawObject;
  return { ...copy, apiVersion: kind.apiVersion, kind: kind.kind };
}

/** The client-node transport for a KubeConfig. */
export function clientNodeTransport(kubeConfig: KubeConfig): KubeTransport {
  const objects = KubernetesObjectApi.makeApiClient(kubeConfig);
  const watcher = new Watch(kubeConfig);
  return {
    async list(kind) {
      const answer = await objects.list(kind.apiVersion, kind.kind);
      return {
        items: (answer.items as unknown[]).map((item) => plain(kind, item)),
        resourceVersion: answer.metadata?.resourceVersion ?? '',
      };
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
