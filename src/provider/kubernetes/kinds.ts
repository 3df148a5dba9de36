/**
 * The resource types the Kubernetes provider watches, cluster-wide: ApiSecurityPolicies, Pods, Services,
 * EndpointSlices, Namespaces, Secrets and ConfigMaps (only the referenced ones reach the snapshot; list/watch is
 * cluster-wide, which the chart's RBAC grants).
 */
import { API_GROUP } from '../../api/group.js';

/** The name of a watched type (also the key of its store). */
export type KindName =
  'policies' | 'pods' | 'services' | 'endpointSlices' | 'namespaces' | 'secrets' | 'configMaps';

/** One watched type. */
export interface WatchedKind {
  /** Store key. */
  readonly name: KindName;
  /** `apiVersion` of its objects. */
  readonly apiVersion: string;
  /** `kind` of its objects. */
  readonly kind: string;
  /** Cluster-wide collection path (list and watch). */
  readonly path: string;
  /** For custom resources: group and plural (listed with CustomObjectsApi, which keeps the continue token). */
  readonly custom?: { readonly group: string; readonly version: string; readonly plural: string };
}

/** Every watched type, in the order the snapshot is assembled. */
export const WATCHED_KINDS: readonly WatchedKind[] = [
  {
    name: 'policies',
    apiVersion: `${API_GROUP}/v1alpha1`,
    kind: 'ApiSecurityPolicy',
    path: `/apis/${API_GROUP}/v1alpha1/apisecuritypolicies`,
    custom: { group: API_GROUP, version: 'v1alpha1', plural: 'apisecuritypolicies' },
  },
  { name: 'pods', apiVersion: 'v1', kind: 'Pod', path: '/api/v1/pods' },
  { name: 'services', apiVersion: 'v1', kind: 'Service', path: '/api/v1/services' },
  {
    name: 'endpointSlices',
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    path: '/apis/discovery.k8s.io/v1/endpointslices',
  },
  { name: 'namespaces', apiVersion: 'v1', kind: 'Namespace', path: '/api/v1/namespaces' },
  { name: 'secrets', apiVersion: 'v1', kind: 'Secret', path: '/api/v1/secrets' },
  { name: 'configMaps', apiVersion: 'v1', kind: 'ConfigMap', path: '/api/v1/configmaps' },
];
