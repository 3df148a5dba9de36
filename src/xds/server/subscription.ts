/**
 * The state-of-the-world protocol state of one resource type on one stream, and the pure rules over it: what a
 * request means (initial, ACK, NACK, stale, subscription update), what the proxy is subscribed to, and whether the
 * current snapshot must be sent. Spec: https://www.envoyproxy.io/docs/envoy/latest/api-docs/xds_protocol
 */
import type { DiscoveryRequest } from '../../gen/envoy/service/discovery/v3/discovery.js';
import type { EncodedResource, TypeSnapshot } from '../cache/snapshot.js';

/** What a proxy subscribed to for one type. */
export interface Subscription {
  /** Every resource of the type (the proxy sent no names first, or `*`). */
  readonly wildcard: boolean;
  /** Names subscribed explicitly (besides `*`), sorted. */
  readonly names: readonly string[];
}

/** The last response of a type written to the stream. */
export interface SentState {
  /** Its version. */
  readonly version: string;
  /** Its nonce: only a request carrying this nonce is current. */
  readonly nonce: string;
  /** The subscription it answered (see {@link subscriptionKey}). */
  readonly subscriptionKey: string;
}

/** Per stream and type. */
export interface TypeState {
  /** The current subscription. */
  subscription: Subscription;
  /** The last response written (in flight until ACKed or NACKed). */
  sent: SentState | undefined;
  /** The last version the proxy ACKed (its last good config). */
  ackedVersion: string | undefined;
  /** A version the proxy NACKed; not resent for the same subscription. */
  rejectedVersion: string | undefined;
}

/** The meaning of one request for its type. */
export type RequestKind =
  | { readonly kind: 'initial' }
  | { readonly kind: 'stale' }
  | { readonly kind: 'ack'; readonly version: string }
  | { readonly kind: 'nack'; readonly version: string; readonly code: number; readonly message: string }
  | { readonly kind: 'update' };

/** The explicit wildcard resource name. */
export const WILDCARD = '*';

/**
 * The subscription after a request. Per the spec ("How the client specifies what resources to return"): a first
 * request with no names, or any request naming `*`, subscribes to every resource; a later request with no names keeps
 * a legacy wildcard subscription (Envoy repeats the empty list in every LDS/CDS ACK) but unsubscribes a named one.
 */
export function nextSubscription(
  previous: Subscription | undefined,
  resourceNames: readonly string[],
): Subscription {
  const names = [...new Set(resourceNames.filter((name) => name !== WILDCARD))].sort();
  const explicitWildcard = resourceNames.includes(WILDCARD);
  if (resourceNames.length === 0) {
    return { wildcard: previous === undefined || previous.wildcard, names: [] };
  }
  return { wildcard: explicitWildcard, names };
}

/** A string that is equal for two subscriptions exactly when they ask for the same resources. */
export function subscriptionKey(subscription: Subscription): string {
  return subscription.wildcard ? WILDCARD : JSON.stringify(subscription.names);
}

/**
 * Classifies a request against the type's state. A request whose `response_nonce` is not the nonce of the latest
 * response of its type is stale and must be ignored, per the spec's "Resource updates" section
 * (https://www.envoyproxy.io/docs/envoy/latest/api-docs/xds_protocol#resource-updates): "The management server should
 * not send a DiscoveryResponse for any DiscoveryRequest that has a stale nonce. A nonce becomes stale following a
 * newer nonce being presented to Envoy in a DiscoveryResponse." Ignoring it loses nothing: a SotW client repeats its
 * whole subscription in every request, so the request answering the newer response carries it (envoyproxy/envoy#10363).
 * Before anything was sent on this stream every request is initial, whatever nonce or version it carries (a
 * reconnecting proxy repeats the previous stream's): the proxy gets the current snapshot. ACK or NACK is read from
 * `error_detail`, not from comparing versions, per the spec's "ACK and NACK semantics"
 * (https://www.envoyproxy.io/docs/envoy/latest/api-docs/xds_protocol#ack-and-nack-semantics).
 */
export function classifyRequest(state: TypeState | undefined, request: DiscoveryRequest): RequestKind {
  const sent = state?.sent;
  if (sent === undefined) {
    return { kind: 'initial' };
  }
  if (request.responseNonce !== sent.nonce) {
    return { kind: 'stale' };
  }
  if (request.errorDetail !== undefined) {
    const { code, message } = request.errorDetail;
    return { kind: 'nack', version: sent.version, code, message };
  }
  if (request.versionInfo === sent.version) {
    return { kind: 'ack', version: sent.version };
  }
  // The latest nonce, no error, but not the version sent: a client repeating itself after a NACK (it reports its last
  // good version). Only the subscription is taken from it.
  return { kind: 'update' };
}

/** Applies a non-stale request's effect on the state (subscription, acked and rejected versions). */
export function applyRequest(
  state: TypeState | undefined,
  request: DiscoveryRequest,
  kind: RequestKind,
): TypeState {
  const next: TypeState = state ?? {
    subscription: nextSubscription(undefined, request.resourceNames),
    sent: undefined,
    ackedVersion: undefined,
    rejectedVersion: undefined,
  };
  if (state !== undefined) {
    next.subscription = nextSubscription(state.subscription, request.resourceNames);
  }
  if (kind.kind === 'ack') {
    next.ackedVersion = kind.version;
    next.rejectedVersion = undefined;
  } else if (kind.kind === 'nack') {
    next.rejectedVersion = kind.version;
  }
  return next;
}

/**
 * Whether the type's current snapshot must be sent: only when its version, or the subscription it answers, differs
 * from the last response written (ACKed or still in flight). A NACKed version is therefore not resent until the
 * snapshot's version changes (or the proxy asks for other resources, which is a new request, not a resend).
 */
export function needsResponse(state: TypeState, type: TypeSnapshot): boolean {
  const sent = state.sent;
  if (sent === undefined) {
    return true;
  }
  return sent.version !== type.version || sent.subscriptionKey !== subscriptionKey(state.subscription);
}

/** Forgets a NACKed version once the snapshot has moved to another one (the rejection then no longer applies). */
export function forgetStaleRejection(state: TypeState, type: TypeSnapshot): void {
  if (state.rejectedVersion !== undefined && state.rejectedVersion !== type.version) {
    state.rejectedVersion = undefined;
  }
}

/**
 * The resources a response carries: every resource for a wildcard subscription (for LDS and CDS the client drops any
 * resource absent from a response, which is how removal works in SotW), otherwise the subscribed names that exist.
 */
export function selectResources(subscription: Subscription, type: TypeSnapshot): readonly EncodedResource[] {
  if (subscription.wildcard) {
    return type.resources;
  }
  const selected: EncodedResource[] = [];
  for (const name of subscription.names) {
    const resource = type.byName.get(name);
    if (resource !== undefined) {
      selected.push(resource);
    }
  }
  return selected;
}
