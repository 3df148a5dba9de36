/**
 * Packing messages into `google.protobuf.Any` (how Envoy carries every extension's typed_config) and unpacking them,
 * through the generated type registry.
 */
import { Any } from '../../gen/google/protobuf/any.js';
import { fullNameOf, messageTypeByName, messageTypeByUrl, typeUrlOf } from './registry.js';
import type { UnknownMessage } from './registry.js';

export { Any };

/**
 * Encodings of finished resources by message object (ADR 0026), see {@link packResource}. Both the messages and the
 * returned Anys are treated as immutable.
 */
const packed = new WeakMap<UnknownMessage, Any>();

/**
 * Packs a generated message into an Any with type URL `type.googleapis.com/<full name>`, the full name being the
 * message's `$type`. Throws if the type is not in the generated set.
 */
export function packAny(message: UnknownMessage): Any {
  const type = messageTypeByName(message.$type);
  return Any.fromPartial({ typeUrl: typeUrlOf(message.$type), value: type.encode(message).finish() });
}

/**
 * {@link packAny} for a finished xDS resource, memoised on the message object: a resource shared by many proxies (an
 * outbound cluster) is encoded once per rebuild. The caller promises the message is never modified afterwards.
 */
export function packResource(message: UnknownMessage): Any {
  let any = packed.get(message);
  if (any === undefined) {
    any = packAny(message);
    packed.set(message, any);
  }
  return any;
}

/** Unpacks an Any into a message of whatever type its URL names. Throws if the type is not in the generated set. */
export function unpackAny(any: Any): UnknownMessage {
  return messageTypeByUrl(any.typeUrl).decode(any.value);
}

/** A generated message type (ts-proto `MessageFns`), as much of it as unpacking needs. */
export interface Decoder<T extends UnknownMessage> {
  readonly $type: string;
  decode(input: Uint8Array): T;
}

/**
 * Unpacks an Any that must hold a message of the given type (e.g. `unpackAnyAs(any, Router)`). Throws, naming both,
 * if the Any holds another type.
 */
export function unpackAnyAs<T extends UnknownMessage>(any: Any, type: Decoder<T>): T {
  const actual = fullNameOf(any.typeUrl);
  if (actual !== type.$type) {
    throw new Error(`Any holds ${actual}, expected ${type.$type}`);
  }
  return type.decode(any.value);
}
