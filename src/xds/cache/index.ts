/** The per-proxy xDS snapshot cache: the boundary between `xds/translate` and `xds/server`. */
export { SnapshotCache, changedTypeUrls } from './cache.js';
export type { SetSnapshotResult, SnapshotListener, Unsubscribe } from './cache.js';
export {
  SnapshotError,
  buildSnapshot,
  buildTypeSnapshot,
  contentVersion,
  typeSnapshotOf,
} from './snapshot.js';
export type { EncodedResource, Snapshot, SnapshotInput, TypeSnapshot } from './snapshot.js';
