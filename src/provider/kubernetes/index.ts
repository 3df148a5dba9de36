/**
 * The Kubernetes provider: reflectors (list + watch with relist and backoff) for every type the translator reads,
 * assembled into a {@link ResourceSnapshot} with the file provider's builders; a pipeline `SnapshotSource`.
 */
export { WATCHED_KINDS } from './kinds.js';
export type { KindName, WatchedKind } from './kinds.js';
export { DEFAULT_BACKOFF, Reflector, objectKey } from './reflector.js';
export type { Backoff, ReflectorOptions, StoreChange } from './reflector.js';
export { SERVICE_NAME_LABEL, clusterSnapshot, toEndpointSlice } from './snapshot.js';
export type { ClusterObjects } from './snapshot.js';
export { KubernetesSource } from './source.js';
export type { KubernetesSourceOptions } from './source.js';
export { clientNodeTransport } from './transport.js';
export type { KubeTransport, ListResult, RawObject, WatchHandle } from './transport.js';
export { groupPods, podWorkload } from './workloads.js';
export type { PodGroup, PodWorkload } from './workloads.js';
