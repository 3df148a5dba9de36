/**
 * Serialising state-of-the-world responses from cached encodings (ADR 0026). A `DiscoveryResponse` is its resources
 * (field 2, repeated Any) plus a few small fields; the resources part is encoded once per type snapshot and
 * subscription (type snapshots are shared by every proxy with identical content) and only the version, type URL and
 * nonce are encoded per response. Protobuf lets fields come in any order, so the two parts are concatenated as they
 * are: the bytes equal `DiscoveryResponse.encode` of the whole response, up to field order.
 */
import { DiscoveryResponse } from '../../gen/envoy/service/discovery/v3/discovery.js';
import type { Any } from '../../gen/google/protobuf/any.js';
import type { TypeSnapshot } from '../cache/snapshot.js';

/** Encoded resources parts, per type snapshot, per subscription key. */
const parts = new WeakMap<TypeSnapshot, Map<string, Buffer>>();
/** The resources part a response was built with (set by {@link attachResources}). */
const attached = new WeakMap<DiscoveryResponse, Buffer>();

/** Subscriptions per type snapshot whose encodings are kept (wildcard and a few named ones are the common case). */
const MAX_PARTS_PER_TYPE = 64;

/** The encoded `resources` field of a response carrying `resources`, cached under `type` and `subscriptionKey`. */
export function resourcesPart(
  type: TypeSnapshot,
  subscriptionKey: string,
  resources: readonly Any[],
): Buffer {
  let bySubscription = parts.get(type);
  if (bySubscription === undefined) {
    bySubscription = new Map();
    parts.set(type, bySubscription);
  }
  let part = bySubscription.get(subscriptionKey);
  if (part === undefined) {
    const only = DiscoveryResponse.fromPartial({ resources: [...resources] });
    part = Buffer.from(DiscoveryResponse.encode(only).finish());
    if (bySubscription.size >= MAX_PARTS_PER_TYPE) bySubscription.clear();
    bySubscription.set(subscriptionKey, part);
  }
  return part;
}

/** Records that `response` carries exactly the resources encoded in `part`, so serialising it reuses `part`. */
export function attachResources(response: DiscoveryResponse, part: Buffer): void {
  attached.set(response, part);
}

/**
 * The gRPC serialiser of state-of-the-world responses: the cached resources part plus the per-response fields, or a
 * plain `DiscoveryResponse.encode` for a response built without one.
 */
export function serializeDiscoveryResponse(response: DiscoveryResponse): Buffer {
  const part = attached.get(response);
  if (part === undefined) return Buffer.from(DiscoveryResponse.encode(response).finish());
  const head = DiscoveryResponse.encode({ ...response, resources: [] }).finish();
  return Buffer.concat([head, part]);
}
