/**
 * `checkMessage`: Envoy's PGV rules (`validate.rules` on fields, `validate.required` on oneofs, `validate.disabled`
 * on messages) over a generated message and everything inside it, the content of every `google.protobuf.Any`
 * included, as Envoy validates each extension's typed_config when it loads it.
 */
import { ScalarType } from '@bufbuild/protobuf';
import type { DescEnum, DescField, DescMessage } from '@bufbuild/protobuf';
import type { Any } from '../proto/any.js';
import { messageDescriptor } from '../proto/descriptors.js';
import type { UnknownMessage } from '../proto/registry.js';
import { ContentMemo } from '../translate/memo.js';
import { fieldRules, messageDisabled, NUMBER_KINDS, oneofRequired, uncheckedKinds } from './rules.js';
import type { FieldRules, MapRules, RepeatedRules } from './rules.js';
import { checkBool, checkEnum, checkNumber, num } from './scalars.js';
import { checkBytes, checkString } from './strings.js';
import type { RuleViolation } from './violation.js';
import {
  ANY,
  anyContentKey,
  DURATION,
  MAX_ANY_CONTENTS,
  SHARED_OBJECT_TYPES,
  WRAPPERS,
  messageChildren,
  oneofSet,
  planOf,
  shortName,
  unpackVisited,
  valueOf,
} from './walk.js';
import type { FieldPlan, Visited } from './walk.js';
import { checkAny, checkDuration } from './wkt.js';
import type { DurationValue } from './wkt.js';

export type { RuleViolation };

/**
 * Every PGV violation in a message of the given full name (e.g. `envoy.config.listener.v3.Listener`), with paths in
 * proto field names from the message's short name:
 * `Listener.filter_chains[0].filters[0].typed_config(HttpConnectionManager).stat_prefix`. Empty when valid.
 */
export function checkMessage(fullName: string, message: UnknownMessage): RuleViolation[] {
  const out: RuleViolation[] = [];
  checkVisited({ desc: messageDescriptor(fullName), message, path: shortName(fullName) }, true, out);
  return out;
}

/**
 * The violations inside each Any content, with paths relative to the Any's (ADR 0034): the content of an Any is
 * checked with every rule on whatever surrounds it, so equal contents (a filter config shared by many listeners)
 * are walked once.
 */
const insideAny = new ContentMemo<RuleViolation[]>(MAX_ANY_CONTENTS);

function checkInsideAny(v: Visited, out: RuleViolation[]): void {
  const inner = unpackVisited(v.message as Any, v.path);
  if (typeof inner === 'string') out.push({ path: v.path, message: inner });
  else checkVisited(inner, true, out);
}

/** Checks an Any's content (unpacked), once per content. */
function checkAnyContent(v: Visited, out: RuleViolation[]): void {
  const key = anyContentKey(v.message as Any);
  if (key === undefined) {
    checkInsideAny(v, out);
    return;
  }
  const relative = insideAny.get(key, () => {
    const own: RuleViolation[] = [];
    checkInsideAny(v, own);
    return own.map((x) => ({ path: x.path.slice(v.path.length), message: x.message }));
  });
  for (const r of relative) out.push({ path: v.path + r.path, message: r.message });
}

/**
 * Messages of the types the translator shares between resources (walk.ts SHARED_OBJECT_TYPES; ADR 35: a service's
 * outbound virtual host is the same object in every egress scope that lists it): their violations are found once per
 * object and rule state, with paths relative to the message, like Any contents.
 */
const byObject = new WeakMap<object, Map<boolean, RuleViolation[]>>();

/** Checks a message of a shared type once per object (see {@link SHARED_OBJECT_TYPES}). */
function checkSharedObject(v: Visited, rulesOn: boolean, out: RuleViolation[]): void {
  const object = v.message as object;
  let byRules = byObject.get(object);
  if (byRules === undefined) {
    byRules = new Map();
    byObject.set(object, byRules);
  }
  let relative = byRules.get(rulesOn);
  if (relative === undefined) {
    const own: RuleViolation[] = [];
    checkFields(v, rulesOn, own);
    relative = own.map((x) => ({ path: x.path.slice(v.path.length), message: x.message }));
    byRules.set(rulesOn, relative);
  }
  for (const r of relative) out.push({ path: v.path + r.path, message: r.message });
}

/** The type of one value: a list item, a map key or value, or a singular field. */
interface ElemType {
  scalar?: ScalarType | undefined;
  enum?: DescEnum | undefined;
  message?: DescMessage | undefined;
}

/**
 * Checks a message. With `rulesOn` false (inside a field marked `message.skip`, or a disabled message) no rule is
 * checked, but Anys inside are still unpacked and checked in full, as the Go checker and Envoy do.
 */
function checkVisited(v: Visited, rulesOn: boolean, out: RuleViolation[]): void {
  if (v.desc.typeName === ANY) {
    checkAnyContent(v, out);
    return;
  }
  if (SHARED_OBJECT_TYPES.has(v.desc.typeName)) {
    checkSharedObject(v, rulesOn, out);
    return;
  }
  checkFields(v, rulesOn, out);
}

/** The rules of a message's own fields and oneofs, and the messages inside it. */
function checkFields(v: Visited, rulesOn: boolean, out: RuleViolation[]): void {
  const on = rulesOn && !messageDisabled(v.desc);
  for (const plan of planOf(v.desc)) {
    checkField(v, plan, on, out);
  }
  if (!on) return;
  for (const oneof of v.desc.oneofs) {
    if (oneofRequired(oneof) && !oneofSet(v.message, oneof.name)) {
      out.push({ path: `${v.path}.${oneof.name}`, message: 'value is required' });
    }
  }
}

/** Whether the rules say not to validate the message(s) in this field. */
function skips(rules: FieldRules | undefined): boolean {
  const messageRules = [rules?.message, rules?.repeated?.items?.message, rules?.map?.values?.message];
  return messageRules.some((m) => m?.skip === true);
}

function checkField(v: Visited, plan: FieldPlan, on: boolean, out: RuleViolation[]): void {
  const rules = on ? fieldRules(plan.field) : undefined;
  if (rules !== undefined) {
    out.push(...fieldViolations(plan.field, rules, valueOf(v.message, plan), `${v.path}.${plan.field.name}`));
  }
  if (plan.child === undefined) return;
  const childrenOn = on && !skips(rules);
  for (const child of messageChildren(v.message, plan, v.path)) {
    checkVisited(child, childrenOn, out);
  }
}

function at(path: string, messages: string[]): RuleViolation[] {
  return messages.map((message) => ({ path, message }));
}

function fieldViolations(field: DescField, rules: FieldRules, value: unknown, path: string): RuleViolation[] {
  const present = value !== undefined && value !== null;
  const unchecked = present ? uncheckedKinds(rules).map((kind) => `unchecked rule kind ${kind}`) : [];
  switch (field.fieldKind) {
    case 'list':
      // A hand-built message may lack the array ts-proto always sets: read it as empty.
      return [...at(path, unchecked), ...checkList(field, rules.repeated, (value ?? []) as unknown[], path)];
    case 'map':
      return [
        ...at(path, unchecked),
        ...checkMap(field, rules.map, (value ?? {}) as Record<string, unknown>, path),
      ];
    default:
      return at(path, [...unchecked, ...singleProblems(field, rules, value)]);
  }
}

function singleProblems(field: DescField, rules: FieldRules, value: unknown): string[] {
  const elem: ElemType = { scalar: field.scalar, enum: field.enum, message: field.message };
  if (value !== undefined && value !== null) return valueProblems(elem, rules, value);
  // A oneof member's rules apply only when it is the member set (PGV checks them inside the oneof's switch).
  if (field.oneof !== undefined || field.fieldKind !== 'message') return [];
  const required = [rules.message, rules.duration, rules.any].some((r) => r?.required === true);
  return required ? ['value is required'] : [];
}

/** Violations of one present value of the given type. */
function valueProblems(elem: ElemType, rules: FieldRules, value: unknown): string[] {
  if (elem.enum !== undefined)
    return rules.enum === undefined ? [] : checkEnum(rules.enum, value as number, elem.enum);
  const typeName = elem.message?.typeName;
  if (typeName === undefined || WRAPPERS.has(typeName)) return scalarProblems(rules, value);
  if (typeName === DURATION && rules.duration !== undefined) {
    return checkDuration(rules.duration, value as DurationValue);
  }
  if (typeName === ANY && rules.any !== undefined) return checkAny(rules.any, (value as Any).typeUrl);
  return [];
}

function scalarProblems(rules: FieldRules, value: unknown): string[] {
  if (typeof value === 'string') return rules.string === undefined ? [] : checkString(rules.string, value);
  if (typeof value === 'boolean') return rules.bool === undefined ? [] : checkBool(rules.bool, value);
  if (value instanceof Uint8Array) return rules.bytes === undefined ? [] : checkBytes(rules.bytes, value);
  const kind = NUMBER_KINDS.find((k) => rules[k] !== undefined);
  const numeric = kind === undefined ? undefined : rules[kind];
  return numeric === undefined ? [] : checkNumber(numeric, Number(value));
}

/** A printable, comparable form of a list item, for `unique`. */
function itemKey(item: unknown): string {
  return item instanceof Uint8Array ? Buffer.from(item).toString('base64') : `${typeof item}:${String(item)}`;
}

function countProblems(r: RepeatedRules, list: unknown[]): string[] {
  if (r.ignore_empty === true && list.length === 0) return [];
  const out: string[] = [];
  if (r.min_items !== undefined && list.length < num(r.min_items)) {
    out.push(`value must contain at least ${num(r.min_items)} item(s)`);
  }
  if (r.max_items !== undefined && list.length > num(r.max_items)) {
    out.push(`value must contain no more than ${num(r.max_items)} item(s)`);
  }
  if (r.unique === true && new Set(list.map(itemKey)).size !== list.length) {
    out.push('repeated value must contain unique items');
  }
  return out;
}

function checkList(
  field: DescField,
  r: RepeatedRules | undefined,
  list: unknown[],
  path: string,
): RuleViolation[] {
  if (r === undefined) return [];
  const out = at(path, countProblems(r, list));
  const items = r.items;
  if (items === undefined) return out;
  const elem: ElemType = { scalar: field.scalar, enum: field.enum, message: field.message };
  list.forEach((item, i) => out.push(...at(`${path}[${i}]`, valueProblems(elem, items, item))));
  return out;
}

function pairProblems(r: MapRules, map: Record<string, unknown>): string[] {
  const entries = Object.values(map);
  if (r.ignore_empty === true && entries.length === 0) return [];
  const out: string[] = [];
  if (r.min_pairs !== undefined && entries.length < num(r.min_pairs)) {
    out.push(`value must contain at least ${num(r.min_pairs)} pair(s)`);
  }
  if (r.max_pairs !== undefined && entries.length > num(r.max_pairs)) {
    out.push(`value must contain no more than ${num(r.max_pairs)} pair(s)`);
  }
  if (r.no_sparse === true && entries.some((e) => e === undefined || e === null)) {
    out.push('value cannot be sparse, all pairs must be non-nil');
  }
  return out;
}

function checkMap(
  field: DescField,
  r: MapRules | undefined,
  map: Record<string, unknown>,
  path: string,
): RuleViolation[] {
  if (r === undefined) return [];
  const out = at(path, pairProblems(r, map));
  const valueType: ElemType = { scalar: field.scalar, enum: field.enum, message: field.message };
  const stringKeys = field.fieldKind === 'map' && field.mapKey === ScalarType.STRING;
  for (const [key, value] of Object.entries(map)) {
    const keyValue = stringKeys ? key : Number(key);
    const problems = [
      ...(r.keys === undefined ? [] : valueProblems({}, r.keys, keyValue)),
      ...(r.values === undefined || value === undefined ? [] : valueProblems(valueType, r.values, value)),
    ];
    out.push(...at(`${path}[${key}]`, problems));
  }
  return out;
}
