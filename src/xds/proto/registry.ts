/**
 * Lookup of the generated (ts-proto) Envoy message types by full name or type URL.
 *
 * The table is built from `src/gen/files.ts`, an explicit index of every generated file, so a lookup never depends on
 * which generated modules happen to have been imported elsewhere (ts-proto's own `messageTypeRegistry` fills by import
 * side effects).
 */
import { generatedFiles } from '../../gen/files.js';
import type { MessageType, UnknownMessage } from '../../gen/typeRegistry.js';

export type { MessageType, UnknownMessage };

/** The prefix of every type URL aspen writes, as Envoy and protojson expect: `type.googleapis.com/<full name>`. */
export const TYPE_URL_PREFIX = 'type.googleapis.com/';

/** A type URL or full name that names no message type in the generated set. */
export class UnknownMessageTypeError extends Error {
  /** The full name (or malformed type URL) that was looked up. */
  readonly typeName: string;

  constructor(typeName: string, what = 'message type') {
    super(`unknown ${what} "${typeName}": not in the generated Envoy set (src/gen; see npm run gen:protos)`);
    this.name = 'UnknownMessageTypeError';
    this.typeName = typeName;
  }
}

/** The type URL of a message type: `type.googleapis.com/<full name>`. */
export function typeUrlOf(fullName: string): string {
  return `${TYPE_URL_PREFIX}${fullName}`;
}

/** The full name in a type URL (the part after the last `/`), as protobuf runtimes resolve it. */
export function fullNameOf(typeUrl: string): string {
  const name = typeUrl.slice(typeUrl.lastIndexOf('/') + 1);
  if (name === '') {
    throw new UnknownMessageTypeError(typeUrl, 'type URL');
  }
  return name;
}

/** The generated message type with this full name (e.g. `envoy.config.listener.v3.Listener`). */
export function messageTypeByName(fullName: string): MessageType {
  const type = messageTypes().get(fullName);
  if (type === undefined) {
    throw new UnknownMessageTypeError(fullName);
  }
  return type;
}

/** The generated message type a type URL names. */
export function messageTypeByUrl(typeUrl: string): MessageType {
  return messageTypeByName(fullNameOf(typeUrl));
}

/** Whether the generated set has a message type with this full name. */
export function hasMessageType(fullName: string): boolean {
  return messageTypes().has(fullName);
}

/** Full names of every generated message type, sorted. */
export function messageTypeNames(): string[] {
  return [...messageTypes().keys()].sort();
}

let table: ReadonlyMap<string, MessageType> | undefined;

/** The lookup table, built once on first use from immutable generated data. */
function messageTypes(): ReadonlyMap<string, MessageType> {
  table ??= buildTable();
  return table;
}

function buildTable(): Map<string, MessageType> {
  const types = new Map<string, MessageType>();
  for (const file of Object.values(generatedFiles)) {
    for (const ref of Object.values<unknown>(file.references)) {
      if (isMessageType(ref)) {
        types.set(ref.$type, ref);
      }
    }
  }
  return types;
}

/** `references` also holds enums (plain objects without codec methods); keep the message types. */
function isMessageType(value: unknown): value is MessageType {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { $type?: unknown }).$type === 'string' &&
    typeof (value as { encode?: unknown }).encode === 'function' &&
    typeof (value as { decode?: unknown }).decode === 'function'
  );
}
