/**
 * An in-process fake Kubernetes API server over real HTTP, for tests driving the real @kubernetes/client-node.
 *
 * ```ts
 * const api = await startFakeApiServer();
 * api.put({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } });
 * const core = api.kubeConfig.makeApiClient(CoreV1Api);
 * await core.listNamespace();
 * api.compact();                 // watches from older resourceVersions now get 410 Gone
 * api.dropWatches();             // every open watch ends (client must re-watch)
 * api.failNext(2, { path: '/pods' }); // the next two requests to pods fail with 500
 * api.tokens.allow('tok', 'shop', 'orders');  // TokenReview of 'tok' → system:serviceaccount:shop:orders
 * await api.until(() => api.watchCount('pods') > 0);
 * await api.close();
 * ```
 *
 * Serves: list (resourceVersion of the list, labelSelector, fieldSelector on metadata.name/namespace, limit/continue
 * pagination over a snapshot taken at the first page; an unknown continue token is 410), watch from a
 * resourceVersion (ADDED/MODIFIED/DELETED, BOOKMARK on demand, ERROR 410 after compaction), get, create (409
 * AlreadyExists, generateName), update (409 on resourceVersion mismatch), merge/strategic/JSON patch, delete and
 * deletecollection, `/status` subresources (main writes keep status, status writes keep the rest; generation bumps
 * on spec changes), discovery documents, TokenReviews. Requests must carry the kubeconfig's bearer token (401
 * otherwise). Not served: server-side apply, field managers, finalizers, admission, DELETED-on-selector-exit.
 */
export { startFakeApiServer } from './server.js';
export type { FakeApiServer, FakeApiServerOptions } from './server.js';
export type { FaultOptions, RecordedRequest } from './faults.js';
export type { KubeObject } from './objects.js';
export { DEFAULT_RESOURCES, apiVersionOf } from './resources.js';
export type { ResourceType, ResourceRegistry } from './resources.js';
export type { ObjectStore, StoreEvent } from './store.js';
export type { TokenReviewStatus, TokenReviewer, TokenReviews } from './token-review.js';
export { ApiError } from './errors.js';
