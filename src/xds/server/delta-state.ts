/**
 * The incremental (delta) protocol state of one resource type on one stream, and the pure rules over it: how a
 * `DeltaDiscoveryRequest` changes the subscription, whether it ACKs or NACKs a response, and which resources (and
 * removals) the current snapshot owes the proxy. Spec: https://www.envoyproxy.io/docs/envoy/latest/api-docs/xds_protocol
 * ("Incremental xDS", "How the client specifies what resources to return").
 *
 * The server keeps, per resource name, the version the proxy has or has been sent (`known`): a resource is sent only
 * when its version differs. A sent version counts as known at once (in flight), so a NACKed resource is not resent
 * until its content changes; the NACK itself is recorded like in state of the world.
 */
import type { DeltaDiscoveryRequest } from '../../gen/envoy/service/discovery/v3/discovery.js';
import { encodedDigest } from '../cache/snapshot.js';
import type { EncodedResource, TypeSnapshot } from '../cache/snapshot.js';
import { WILDCARD } from './subscription.js';
import type { Subscription } from './subscription.js';

/** Per stream and type. */
export interface DeltaTypeState {
  /** Subscribed to every resource of the type (legacy empty first request, or `*`). */
  wildcard: boolean;
  /** Still in legacy wildcard mode: no name has been subscribed yet, so an empty request keeps the wildcard. */
  legacyWildcard: boolean;
  /** Names subscribed explicitly. */
  readonly names: Set<string>;
  /**
   * What the proxy has, by name: the resource version it was sent (or reported in `initial_resource_versions`), or
   * `null` once it was told the name does not exist. `''` forces the resource to be reported again.
   */
  readonly known: Map<string, string | null>;
  /** Responses written and not yet answered, nonce → the type version they carried. */
  readonly inFlight: Map<string, string>;
  /** The last response written. */
  sent: { readonly version: string; readonly nonce: string } | undefined;
  /** The last type version the proxy ACKed. */
  ackedVersion: string | undefined;
  /** The last type version the proxy NACKed (cleared by a later ACK). */
  rejectedVersion: string | undefined;
}

/** What a delta request answers. */
export type DeltaRequestKind =
  | { readonly kind: 'subscription' }
  | { readonly kind: 'ack'; readonly version: string }
  | { readonly kind: 'nack'; readonly version: string; readonly code: number; readonly message: string }
  | { readonly kind: 'stale' };

/** What a response must carry; empty when the proxy is up to date. */
export interface DeltaChange {
  /** Resources to send (added or changed), sorted by name, with their per-resource versions. */
  readonly resources: readonly { readonly resource: EncodedResource; readonly version: string }[];
  /** Names the proxy must drop (or learn do not exist), sorted. */
  readonly removed: readonly string[];
}

/** How many unanswered responses per type are remembered for ACK/NACK matching (a proxy answers each in turn). */
const MAX_IN_FLIGHT = 16;

/**
 * A resource's version: the digest of its encoded Any (type URL and bytes, see `encodedDigest`); the name is the key
 * it is compared under. Memoised per encoded Any, which every proxy receiving the same resource shares (ADR 0026), so
 * it is computed once per content.
 */
export function resourceVersion(resource: EncodedResource): string {
  return encodedDigest(resource.encoded);
}

/**
 * The state of a type's first request on a stream. A first request without names is a legacy wildcard; the proxy's
 * `initial_resource_versions` (it reconnects holding them) are taken as known, so equal versions are not resent.
 */
export function newDeltaState(request: DeltaDiscoveryRequest): DeltaTypeState {
  const legacy = request.resourceNamesSubscribe.length === 0;
  const state: DeltaTypeState = {
    wildcard: legacy,
    legacyWildcard: legacy,
    names: new Set(),
    known: new Map(Object.entries(request.initialResourceVersions)),
    inFlight: new Map(),
    sent: undefined,
    ackedVersion: undefined,
    rejectedVersion: undefined,
  };
  return state;
}

/**
 * Applies `resource_names_subscribe` / `_unsubscribe`. Legacy wildcard ends with the first subscribed name but the
 * wildcard stays until `*` is unsubscribed (the spec's example). A name unsubscribed while wildcard is reported again
 * (sent or removed) since the client forgets it; otherwise the server forgets what the proxy had of it.
 */
export function applySubscription(state: DeltaTypeState, request: DeltaDiscoveryRequest): void {
  if (state.legacyWildcard && request.resourceNamesSubscribe.length > 0) {
    state.legacyWildcard = false;
  }
  for (const name of request.resourceNamesSubscribe) {
    if (name === WILDCARD) {
      state.wildcard = true;
    } else {
      state.names.add(name);
    }
  }
  for (const name of request.resourceNamesUnsubscribe) {
    if (name === WILDCARD) {
      state.wildcard = false;
      continue;
    }
    if (state.wildcard && state.names.has(name)) {
      state.known.set(name, '');
    } else {
      state.known.delete(name);
    }
    state.names.delete(name);
  }
}

/**
 * What a request answers. A nonce of a response still in flight makes it an ACK, or a NACK when `error_detail` is set
 * (the version is that of the answered response); a request without a nonce only changes the subscription; any other
 * nonce is stale for ACK/NACK purposes (its subscription changes still apply: delta requests are not repeated).
 */
export function classifyDeltaRequest(
  state: DeltaTypeState,
  request: DeltaDiscoveryRequest,
): DeltaRequestKind {
  if (request.responseNonce === '') {
    return { kind: 'subscription' };
  }
  const version = state.inFlight.get(request.responseNonce);
  if (version === undefined) {
    return { kind: 'stale' };
  }
  if (request.errorDetail !== undefined) {
    return { kind: 'nack', version, code: request.errorDetail.code, message: request.errorDetail.message };
  }
  return { kind: 'ack', version };
}

/** Records an ACK or NACK on the state: the answered response, and every earlier one, is no longer in flight. */
export function applyAnswer(state: DeltaTypeState, nonce: string, kind: DeltaRequestKind): void {
  if (kind.kind === 'ack') {
    state.ackedVersion = kind.version;
    state.rejectedVersion = undefined;
  } else if (kind.kind === 'nack') {
    state.rejectedVersion = kind.version;
  } else {
    return;
  }
  for (const pending of [...state.inFlight.keys()]) {
    state.inFlight.delete(pending);
    if (pending === nonce) {
      break;
    }
  }
}

/**
 * What the snapshot owes the proxy: every subscribed resource (all of them when wildcard) whose version differs from
 * the known one, and every known or explicitly subscribed name that does not exist (once: a name the proxy was told
 * is absent is not repeated). Pure: {@link markSent} records the result.
 */
export function computeDelta(state: DeltaTypeState, type: TypeSnapshot): DeltaChange {
  const resources: { resource: EncodedResource; version: string }[] = [];
  const removed = new Set<string>();
  const consider = (name: string): void => {
    const resource = type.byName.get(name);
    if (resource === undefined) {
      if (state.known.get(name) !== null && (state.known.has(name) || state.names.has(name))) {
        removed.add(name);
      }
      return;
    }
    const version = resourceVersion(resource);
    if (state.known.get(name) !== version) {
      resources.push({ resource, version });
    }
  };
  const names = new Set<string>(state.names);
  if (state.wildcard) {
    for (const resource of type.resources) names.add(resource.name);
    for (const name of state.known.keys()) names.add(name);
  }
  for (const name of [...names].sort()) consider(name);
  return { resources, removed: [...removed].sort() };
}

/** Records what a response carried: sent versions become known, removed names are known absent (or forgotten). */
export function markSent(state: DeltaTypeState, change: DeltaChange, version: string, nonce: string): void {
  for (const { resource, version: resourceVersionSent } of change.resources) {
    state.known.set(resource.name, resourceVersionSent);
  }
  for (const name of change.removed) {
    if (state.names.has(name)) {
      state.known.set(name, null);
    } else {
      state.known.delete(name);
    }
  }
  state.sent = { version, nonce };
  state.inFlight.set(nonce, version);
  for (const oldest of state.inFlight.keys()) {
    if (state.inFlight.size <= MAX_IN_FLIGHT) {
      break;
    }
    state.inFlight.delete(oldest);
  }
}

/** The subscription as reported by `AdsService.streams()` (same shape as state of the world). */
export function deltaSubscription(state: DeltaTypeState): Subscription {
  return { wildcard: state.wildcard, names: [...state.names].sort() };
}
