/**
 * Proto3 canonical JSON of generated Envoy messages: what Go's protojson prints, and what `aspen render` and the golden
 * files show.
 *
 * ts-proto's own `toJSON` is close but not canonical (Duration as `{seconds, nanos}`, 64-bit integers as numbers), so
 * the message is encoded with its generated type and printed by `@bufbuild/protobuf` from the exact descriptors: every
 * Any expanded to `{"@type": …, …fields}` (recursively; well-known types inside an Any under `"value"`), Duration as
 * `"1.500s"`, Timestamp as RFC 3339, wrappers as plain values, Struct as plain JSON, 64-bit integers as strings, enums
 * by name, fields with default values omitted, keys in lowerCamelCase JSON names. Keys come in field-number order with
 * `"@type"` first in every object that has one, so the output is stable (protojson's field order is declaration order
 * and its whitespace deliberately unstable: compare parsed JSON, not bytes).
 */
import { fromBinary, toJson } from '@bufbuild/protobuf';
import type { JsonObject, JsonValue } from '@bufbuild/protobuf';
import { envoyDescriptors, messageDescriptor } from './descriptors.js';
import { fullNameOf, messageTypeByName } from './registry.js';
import type { UnknownMessage } from './registry.js';

export type { JsonValue };

/**
 * The canonical JSON of a message of the type the URL names (`type.googleapis.com/<full name>`). Throws if the type is
 * unknown, if the message is of another type, or if an Any inside names a type not in the generated set.
 */
export function toCanonicalJson(typeUrl: string, message: UnknownMessage): JsonValue {
  const fullName = fullNameOf(typeUrl);
  if (message.$type !== fullName) {
    throw new Error(`toCanonicalJson: message is ${message.$type}, type URL names ${fullName}`);
  }
  const bytes = messageTypeByName(fullName).encode(message).finish();
  return canonicalJsonOfBytes(fullName, bytes);
}

/** The canonical JSON of a serialized message of the given full name. */
export function canonicalJsonOfBytes(fullName: string, bytes: Uint8Array): JsonValue {
  const desc = messageDescriptor(fullName);
  try {
    return typeFirst(toJson(desc, fromBinary(desc, bytes), { registry: envoyDescriptors() }));
  } catch (err) {
    throw new Error(`canonical JSON of ${fullName}: ${(err as Error).message}`, { cause: err });
  }
}

/** The same JSON with `"@type"` moved to the front of every object that has one, as protojson prints it. */
function typeFirst(value: JsonValue): JsonValue {
  if (Array.isArray(value)) {
    return value.map(typeFirst);
  }
  if (value === null || typeof value !== 'object') {
    return value;
  }
  const out: JsonObject = {};
  const type = value['@type'];
  if (type !== undefined) {
    out['@type'] = type;
  }
  for (const [key, item] of Object.entries(value)) {
    out[key] = typeFirst(item);
  }
  return out;
}
