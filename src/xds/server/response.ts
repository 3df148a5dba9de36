/**
 * What goes out on a stream: building a `DiscoveryResponse` from a type snapshot (copying references to the encoded
 * Anys; grpc-js serialises them), and the order in which types are pushed after a snapshot change.
 */
import { DiscoveryResponse } from '../../gen/envoy/service/discovery/v3/discovery.js';
import type { TypeSnapshot } from '../cache/snapshot.js';
import { selectResources, subscriptionKey } from './subscription.js';
import { attachResources, resourcesPart } from './wire.js';
import type { Subscription, TypeState } from './subscription.js';
import type { TypeStatus } from './types.js';

/**
 * Push order after a snapshot change, per the spec's "Eventual consistency considerations"
 * (https://www.envoyproxy.io/docs/envoy/latest/api-docs/xds_protocol#eventual-consistency-considerations): CDS, then
 * EDS, then LDS, then RDS, so nothing refers to a resource the proxy does not have yet. Secrets come first (clusters
 * and listeners warm on them); types not listed follow, by type URL.
 */
export const PUSH_ORDER: readonly string[] = [
  'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret',
  'type.googleapis.com/envoy.config.cluster.v3.Cluster',
  'type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment',
  'type.googleapis.com/envoy.config.listener.v3.Listener',
  'type.googleapis.com/envoy.config.route.v3.RouteConfiguration',
];

/** Sorts type URLs into {@link PUSH_ORDER}. */
export function inPushOrder(typeUrls: Iterable<string>): string[] {
  const rank = (url: string): number => {
    const index = PUSH_ORDER.indexOf(url);
    return index === -1 ? PUSH_ORDER.length : index;
  };
  return [...typeUrls].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
}

/** A response ready to write, with its size for metrics. */
export interface BuiltResponse {
  readonly response: DiscoveryResponse;
  /** Sum of the resources' encoded sizes. */
  readonly bytes: number;
}

/** The response carrying the subscribed resources of `type` under `nonce`. */
export function buildResponse(type: TypeSnapshot, subscription: Subscription, nonce: string): BuiltResponse {
  const resources = selectResources(subscription, type).map((resource) => resource.encoded);
  const part = resourcesPart(type, subscriptionKey(subscription), resources);
  const response: DiscoveryResponse = {
    $type: DiscoveryResponse.$type,
    versionInfo: type.version,
    resources,
    canary: false,
    typeUrl: type.typeUrl,
    nonce,
    controlPlane: undefined,
    resourceErrors: [],
  };
  attachResources(response, part);
  return { response, bytes: resources.reduce((sum, any) => sum + any.value.length, 0) };
}

/** A type's protocol state as reported by `AdsService.streams()`. */
export function typeStatus(typeUrl: string, state: TypeState): TypeStatus {
  return {
    typeUrl,
    subscription: state.subscription,
    sentVersion: state.sent?.version,
    nonce: state.sent?.nonce,
    ackedVersion: state.ackedVersion,
    rejectedVersion: state.rejectedVersion,
  };
}
