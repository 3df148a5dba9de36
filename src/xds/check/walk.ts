/**
 * Reading ts-proto messages through the exact descriptors, and visiting every message inside one (the contents of
 * every `google.protobuf.Any` included, as Envoy unpacks each extension's typed_config).
 *
 * ts-proto keys are the camelCase field names; a oneof is one key (the oneof's camelCase name) holding
 * `{ $case, value }`. Some well-known types are not messages in ts-proto: wrappers are plain values, Struct/Value/
 * ListValue plain JSON, Timestamp a Date, FieldMask a string list.
 */
import type { DescField, DescMessage } from '@bufbuild/protobuf';
import { createHash } from 'node:crypto';
import { unpackAny } from '../proto/any.js';
import type { Any } from '../proto/any.js';
import { messageDescriptor } from '../proto/descriptors.js';
import type { UnknownMessage } from '../proto/registry.js';
import { ContentMemo } from '../translate/memo.js';

/** Full name of google.protobuf.Any. */
export const ANY = 'google.protobuf.Any';

/** Full name of google.protobuf.Duration. */
export const DURATION = 'google.protobuf.Duration';

/** Wrapper types: ts-proto holds the wrapped value itself (or undefined). */
export const WRAPPERS: ReadonlySet<string> = new Set(
  ['Double', 'Float', 'Int64', 'UInt64', 'Int32', 'UInt32', 'Bool', 'String', 'Bytes'].map(
    (t) => `google.protobuf.${t}Value`,
  ),
);

/** Well-known types ts-proto does not represent as messages, and that hold nothing to check. */
const OPAQUE: ReadonlySet<string> = new Set([
  ...WRAPPERS,
  'google.protobuf.Struct',
  'google.protobuf.Value',
  'google.protobuf.ListValue',
  'google.protobuf.Timestamp',
  'google.protobuf.FieldMask',
]);

/** Whether a message type is walked as a message (false for wrappers, Struct, Timestamp …). */
export function isWalkable(typeName: string): boolean {
  return !OPAQUE.has(typeName);
}

/** snake_case to ts-proto's camelCase key. */
function camel(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

/** A ts-proto oneof value. */
interface OneofValue {
  $case: string;
  value: unknown;
}

function isOneofValue(value: unknown): value is OneofValue {
  return (
    typeof value === 'object' && value !== null && typeof (value as { $case?: unknown }).$case === 'string'
  );
}

/** How to read one field of a ts-proto message, worked out once per field. */
export interface FieldPlan {
  /** The field. */
  field: DescField;
  /** The ts-proto key holding it (the oneof's key for a oneof member). */
  key: string;
  /** For a oneof member, its `$case`. */
  caseName: string | undefined;
  /** The message type to descend into, when the field holds messages ts-proto represents as messages. */
  child: DescMessage | undefined;
}

const plans = new Map<DescMessage, FieldPlan[]>();

/** The reading plan of every field of a message type, in declaration order (memoised). */
export function planOf(desc: DescMessage): FieldPlan[] {
  let plan = plans.get(desc);
  if (plan === undefined) {
    plan = desc.fields.map((field) => ({
      field,
      key: camel(field.oneof?.name ?? field.name),
      caseName: field.oneof === undefined ? undefined : camel(field.name),
      child: field.message !== undefined && isWalkable(field.message.typeName) ? field.message : undefined,
    }));
    plans.set(desc, plan);
  }
  return plan;
}

/** The message fields of a type that may hold messages to descend into. */
function childPlansOf(desc: DescMessage): FieldPlan[] {
  return planOf(desc).filter((p) => p.child !== undefined);
}

/** The value of a field; undefined when unset (or, in a oneof, when another member is set). */
export function valueOf(message: object, plan: FieldPlan): unknown {
  const value = (message as Record<string, unknown>)[plan.key];
  if (plan.caseName === undefined) return value;
  return isOneofValue(value) && value.$case === plan.caseName ? value.value : undefined;
}

/** Whether a oneof has a member set. */
export function oneofSet(message: object, oneofName: string): boolean {
  return isOneofValue((message as Record<string, unknown>)[camel(oneofName)]);
}

/** The short name of a type (`HttpConnectionManager` for `envoy.….HttpConnectionManager`). */
export function shortName(typeName: string): string {
  return typeName.slice(typeName.lastIndexOf('.') + 1);
}

/** A message found inside another. */
export interface Visited {
  /** Its descriptor. */
  desc: DescMessage;
  /** The ts-proto message. */
  message: UnknownMessage;
  /** Its path, as in violations. */
  path: string;
}

/** Decoded Any contents, by Any object and type URL: a resource set's Anys are decoded once for all its checks. */
const unpacked = new WeakMap<Any, { typeUrl: string; value: Uint8Array; result: UnknownMessage | string }>();

function decodeAny(any: Any): UnknownMessage | string {
  const cached = unpacked.get(any);
  if (cached !== undefined && cached.typeUrl === any.typeUrl && cached.value === any.value)
    return cached.result;
  let result: UnknownMessage | string;
  try {
    result = unpackAny(any);
    messageDescriptor(result.$type);
  } catch (err) {
    result = `cannot unpack Any with type URL "${any.typeUrl}": ${(err as Error).message}`;
  }
  unpacked.set(any, { typeUrl: any.typeUrl, value: any.value, result });
  return result;
}

/** The unpacked content of an Any, or an error message when its type is not in the generated set. */
export function unpackVisited(any: Any, path: string): Visited | string {
  const message = decodeAny(any);
  if (typeof message === 'string') return message;
  return { desc: messageDescriptor(message.$type), message, path: `${path}(${shortName(message.$type)})` };
}

/** The message values of one message-typed field (singular, list or map), each with its path. */
export function messageChildren(message: object, plan: FieldPlan, path: string): Visited[] {
  const desc = plan.child;
  const value = desc === undefined ? undefined : valueOf(message, plan);
  if (desc === undefined || value === undefined || value === null) return [];
  const at = `${path}.${plan.field.name}`;
  if (plan.field.fieldKind === 'list') {
    return (value as UnknownMessage[]).map((m, i) => ({ desc, message: m, path: `${at}[${i}]` }));
  }
  if (plan.field.fieldKind === 'map') {
    return Object.entries(value as Record<string, UnknownMessage>)
      .filter((entry) => entry[1] !== undefined)
      .map(([k, m]) => ({ desc, message: m, path: `${at}[${k}]` }));
  }
  return [{ desc, message: value as UnknownMessage, path: at }];
}

/**
 * Calls `visit` on the message and, depth first in field order, on every message inside it, the unpacked content
 * of every Any included (the Any itself is visited too). Anys that cannot be unpacked are skipped here; the rule
 * checker reports them.
 */
export function visitMessages(root: Visited, visit: (found: Visited) => void): void {
  visit(root);
  if (root.desc.typeName === ANY) {
    const inner = unpackVisited(root.message as Any, root.path);
    if (typeof inner !== 'string') visitMessages(inner, visit);
    return;
  }
  for (const plan of childPlansOf(root.desc)) {
    for (const child of messageChildren(root.message, plan, root.path)) {
      visitMessages(child, visit);
    }
  }
}

/**
 * The key of an Any's content (type URL and bytes, by digest), or undefined for a hand-built Any without bytes. Equal
 * contents check alike, so what is found inside one is found inside every other (ADR 0034).
 */
export function anyContentKey(any: Any): string | undefined {
  if (!(any.value instanceof Uint8Array) || typeof any.typeUrl !== 'string') return undefined;
  const cached = contentKeys.get(any);
  if (cached !== undefined && cached.typeUrl === any.typeUrl && cached.value === any.value) return cached.key;
  const hash = createHash('sha256').update(any.typeUrl).update('\n').update(any.value);
  const key = `${any.typeUrl}\n${hash.digest('base64')}`;
  contentKeys.set(any, { typeUrl: any.typeUrl, value: any.value, key });
  return key;
}

/** Content keys by Any object, kept with what they were computed from (an Any modified since is keyed again). */
const contentKeys = new WeakMap<Any, { typeUrl: string; value: Uint8Array; key: string }>();

/** A bound on each memo by Any content: far more than the distinct extension configs of a large mesh. */
export const MAX_ANY_CONTENTS = 50_000;

/** Per set of wanted types (a module constant), what each Any content holds of them, with paths relative to the Any. */
const foundInAny = new WeakMap<ReadonlySet<string>, ContentMemo<Visited[]>>();

function collectInAny(v: Visited, typeNames: ReadonlySet<string>, out: Visited[]): void {
  const any = v.message as Any;
  const key = anyContentKey(any);
  const direct = (): Visited[] => {
    const found: Visited[] = [];
    const inner = unpackVisited(any, v.path);
    if (typeof inner !== 'string') collectInto(inner, typeNames, found);
    return found;
  };
  if (key === undefined) {
    out.push(...direct());
    return;
  }
  let memo = foundInAny.get(typeNames);
  if (memo === undefined) {
    memo = new ContentMemo(MAX_ANY_CONTENTS);
    foundInAny.set(typeNames, memo);
  }
  const relative = memo.get(key, () => direct().map((f) => ({ ...f, path: f.path.slice(v.path.length) })));
  for (const r of relative) out.push({ desc: r.desc, message: r.message, path: v.path + r.path });
}

/**
 * Message types whose objects the translator shares between resources (ADR 35: outbound virtual hosts): what one
 * holds is collected once per object and `typeNames` set, with paths relative to it.
 */
export const SHARED_OBJECT_TYPES: ReadonlySet<string> = new Set(['envoy.config.route.v3.VirtualHost']);
const foundInObject = new WeakMap<ReadonlySet<string>, WeakMap<object, Visited[]>>();

function collectInSharedObject(v: Visited, typeNames: ReadonlySet<string>, out: Visited[]): void {
  let memo = foundInObject.get(typeNames);
  if (memo === undefined) {
    memo = new WeakMap();
    foundInObject.set(typeNames, memo);
  }
  const object = v.message as object;
  let relative = memo.get(object);
  if (relative === undefined) {
    const found: Visited[] = [];
    collectChildren(v, typeNames, found);
    relative = found.map((f) => ({ ...f, path: f.path.slice(v.path.length) }));
    memo.set(object, relative);
  }
  for (const r of relative) out.push({ desc: r.desc, message: r.message, path: v.path + r.path });
}

/** The messages of the given types in `v` and inside it, depth first in field order (Any contents included). */
function collectInto(v: Visited, typeNames: ReadonlySet<string>, out: Visited[]): void {
  if (typeNames.has(v.desc.typeName)) out.push(v);
  if (v.desc.typeName === ANY) {
    collectInAny(v, typeNames, out);
    return;
  }
  if (SHARED_OBJECT_TYPES.has(v.desc.typeName)) collectInSharedObject(v, typeNames, out);
  else collectChildren(v, typeNames, out);
}

/** What the messages inside `v` hold of the given types. */
function collectChildren(v: Visited, typeNames: ReadonlySet<string>, out: Visited[]): void {
  for (const plan of childPlansOf(v.desc)) {
    for (const child of messageChildren(v.message, plan, v.path)) collectInto(child, typeNames, out);
  }
}

/** Every message of the given types inside a root message (Any contents included), by type, in visiting order. */
export function collectMessages(root: Visited, typeNames: ReadonlySet<string>): Map<string, Visited[]> {
  const found = new Map<string, Visited[]>();
  for (const v of findMessages(root, typeNames)) {
    const list = found.get(v.desc.typeName);
    if (list === undefined) found.set(v.desc.typeName, [v]);
    else list.push(v);
  }
  return found;
}

/**
 * Every message of the given types inside a root message (Any contents included), in visiting order. What an Any
 * holds is collected once per content and per `typeNames` set (which should be a long-lived constant).
 */
export function findMessages(root: Visited, typeNames: ReadonlySet<string>): Visited[] {
  const found: Visited[] = [];
  collectInto(root, typeNames, found);
  return found;
}
