/**
 * The delta stream's wire edges: the response message built from a computed change, and the view of a delta stream
 * that the shared `Authenticator` seam (typed for state of the world) is given.
 */
import type { ServerDuplexStream } from '@grpc/grpc-js';
import {
  DeltaDiscoveryResponse,
  DiscoveryRequest,
  Resource,
} from '../../gen/envoy/service/discovery/v3/discovery.js';
import type { DeltaDiscoveryRequest } from '../../gen/envoy/service/discovery/v3/discovery.js';
import type { DeltaChange } from './delta-state.js';
import type { AdsCall } from './types.js';

/** An incremental ADS call as grpc-js hands it to the server. */
export type DeltaCall = ServerDuplexStream<DeltaDiscoveryRequest, DeltaDiscoveryResponse>;

/**
 * The first request as the `Authenticator` sees it. Authenticators read the call's surface (peer, metadata, TLS
 * auth context) and the Node, which both stream kinds share; the stream-specific methods are never used there. The
 * cast is the one unchecked spot: typing `Authenticator` over grpc-js's `ServerSurfaceCall` would remove it.
 */
export function authenticationView(
  call: DeltaCall,
  first: DeltaDiscoveryRequest,
): [AdsCall, DiscoveryRequest] {
  const request = DiscoveryRequest.fromPartial({
    node: first.node,
    typeUrl: first.typeUrl,
    resourceNames: first.resourceNamesSubscribe,
    responseNonce: first.responseNonce,
  });
  return [call as unknown as AdsCall, request];
}

/** The response carrying `change` (references to the encoded Anys; grpc-js serialises them). */
export function deltaResponse(
  typeUrl: string,
  version: string,
  nonce: string,
  change: DeltaChange,
): DeltaDiscoveryResponse {
  return DeltaDiscoveryResponse.fromPartial({
    systemVersionInfo: version,
    typeUrl,
    nonce,
    removedResources: [...change.removed],
    resources: change.resources.map(({ resource, version: resourceVersion }) =>
      Resource.fromPartial({ name: resource.name, version: resourceVersion, resource: resource.encoded }),
    ),
  });
}
