/**
 * Envoy's protoc-gen-validate (PGV) rules, read from the exact descriptors.
 *
 * ts-proto's decoded `protoMetadata.options` cannot be used for the rules: `validate.proto` is proto2, and ts-proto
 * fills every unset optional with its default, so `uint32: {gt: 0}` and "no uint32 rule" decode alike. The binary
 * descriptor set keeps presence: each `(validate.rules)` extension is decoded with `@bufbuild/protobuf` and printed as
 * JSON with proto field names, which holds exactly the rules that are set (64-bit values as strings, durations as
 * `"1.5s"`). The interfaces below model the subset of that JSON the checker reads.
 */
import { getExtension, hasExtension, toJson } from '@bufbuild/protobuf';
import type { DescExtension, DescField, DescMessage, DescOneof, Message } from '@bufbuild/protobuf';
import { envoyDescriptors } from '../proto/descriptors.js';

/** A 64-bit integer as canonical JSON prints it (a string), or a 32-bit one (a number). */
export type JsonNumber = number | string;

/** Rules shared by every numeric kind (`float`, `double`, `int32`, `uint64`, `sfixed32` …). */
export interface NumberRules {
  const?: JsonNumber;
  lt?: JsonNumber;
  lte?: JsonNumber;
  gt?: JsonNumber;
  gte?: JsonNumber;
  in?: JsonNumber[];
  not_in?: JsonNumber[];
  ignore_empty?: boolean;
}

/** `validate.StringRules`, as JSON. */
export interface StringRules {
  const?: string;
  len?: JsonNumber;
  min_len?: JsonNumber;
  max_len?: JsonNumber;
  len_bytes?: JsonNumber;
  min_bytes?: JsonNumber;
  max_bytes?: JsonNumber;
  pattern?: string;
  prefix?: string;
  suffix?: string;
  contains?: string;
  not_contains?: string;
  in?: string[];
  not_in?: string[];
  hostname?: boolean;
  ip?: boolean;
  ipv4?: boolean;
  ipv6?: boolean;
  uri?: boolean;
  uri_ref?: boolean;
  address?: boolean;
  uuid?: boolean;
  email?: boolean;
  well_known_regex?: string;
  strict?: boolean;
  ignore_empty?: boolean;
}

/** `validate.BytesRules`, as JSON (bytes values base64). */
export interface BytesRules {
  const?: string;
  len?: JsonNumber;
  min_len?: JsonNumber;
  max_len?: JsonNumber;
  prefix?: string;
  suffix?: string;
  contains?: string;
  in?: string[];
  not_in?: string[];
  ignore_empty?: boolean;
}

/** `validate.BoolRules`. */
export interface BoolRules {
  const?: boolean;
}

/** `validate.EnumRules`, values by number. */
export interface EnumRules {
  const?: number;
  defined_only?: boolean;
  in?: number[];
  not_in?: number[];
}

/** `validate.MessageRules`. */
export interface MessageRules {
  skip?: boolean;
  required?: boolean;
}

/** `validate.RepeatedRules`. */
export interface RepeatedRules {
  min_items?: JsonNumber;
  max_items?: JsonNumber;
  unique?: boolean;
  items?: FieldRules;
  ignore_empty?: boolean;
}

/** `validate.MapRules`. */
export interface MapRules {
  min_pairs?: JsonNumber;
  max_pairs?: JsonNumber;
  no_sparse?: boolean;
  keys?: FieldRules;
  values?: FieldRules;
  ignore_empty?: boolean;
}

/** `validate.AnyRules`. */
export interface AnyRules {
  required?: boolean;
  in?: string[];
  not_in?: string[];
}

/** `validate.DurationRules`, durations as JSON strings (`"0.250s"`). */
export interface DurationRules {
  required?: boolean;
  const?: string;
  lt?: string;
  lte?: string;
  gt?: string;
  gte?: string;
  in?: string[];
  not_in?: string[];
}

/** The numeric rule kinds of `validate.FieldRules`. */
export const NUMBER_KINDS = [
  'float',
  'double',
  'int32',
  'int64',
  'uint32',
  'uint64',
  'sint32',
  'sint64',
  'fixed32',
  'fixed64',
  'sfixed32',
  'sfixed64',
] as const;

/** One numeric rule kind. */
export type NumberKind = (typeof NUMBER_KINDS)[number];

/** `validate.FieldRules`, as JSON: `message` plus at most one typed member. */
export type FieldRules = { [K in NumberKind]?: NumberRules } & {
  message?: MessageRules;
  bool?: BoolRules;
  string?: StringRules;
  bytes?: BytesRules;
  enum?: EnumRules;
  repeated?: RepeatedRules;
  map?: MapRules;
  any?: AnyRules;
  duration?: DurationRules;
  timestamp?: Record<string, unknown>;
};

/**
 * Every rule the checker implements, as `<kind>.<rule>` in PGV's proto names. `strict` and `ignore_empty` modify
 * other rules; `items`, `keys` and `values` nest further rules (listed with their own kinds).
 */
export const SUPPORTED_RULE_KINDS: ReadonlySet<string> = new Set([
  ...NUMBER_KINDS.flatMap((k) => ['const', 'lt', 'lte', 'gt', 'gte', 'in', 'not_in'].map((r) => `${k}.${r}`)),
  'bool.const',
  ...[
    'const',
    'len',
    'min_len',
    'max_len',
    'len_bytes',
    'min_bytes',
    'max_bytes',
    'pattern',
    'prefix',
    'suffix',
    'contains',
    'not_contains',
    'in',
    'not_in',
    'hostname',
    'ip',
    'ipv4',
    'ipv6',
    'uri',
    'uri_ref',
    'address',
    'uuid',
    'well_known_regex',
  ].map((r) => `string.${r}`),
  ...['const', 'len', 'min_len', 'max_len', 'prefix', 'suffix', 'contains', 'in', 'not_in'].map(
    (r) => `bytes.${r}`,
  ),
  ...['const', 'defined_only', 'in', 'not_in'].map((r) => `enum.${r}`),
  'message.required',
  'message.skip',
  'repeated.min_items',
  'repeated.max_items',
  'repeated.unique',
  'map.min_pairs',
  'map.max_pairs',
  'map.no_sparse',
  'any.required',
  'any.in',
  'any.not_in',
  ...['required', 'const', 'lt', 'lte', 'gt', 'gte', 'in', 'not_in'].map((r) => `duration.${r}`),
]);

/** Keys that modify or nest rules rather than being rules themselves. */
const MODIFIERS = new Set(['strict', 'ignore_empty', 'items', 'keys', 'values']);

/** The `<kind>.<rule>` names of every rule set in these rules, nested item/key/value rules included. */
export function ruleKinds(rules: FieldRules): string[] {
  const kinds: string[] = [];
  for (const [kind, body] of Object.entries(rules)) {
    for (const [rule, value] of Object.entries(body as Record<string, unknown>)) {
      if (!MODIFIERS.has(rule)) {
        kinds.push(`${kind}.${rule}`);
      } else if (typeof value === 'object' && value !== null) {
        kinds.push(...ruleKinds(value));
      }
    }
  }
  return kinds;
}

const uncheckedCache = new WeakMap<FieldRules, string[]>();

/** The rule kinds among these that the checker does not implement. */
export function uncheckedKinds(rules: FieldRules): string[] {
  let kinds = uncheckedCache.get(rules);
  if (kinds === undefined) {
    kinds = ruleKinds(rules).filter((kind) => !SUPPORTED_RULE_KINDS.has(kind));
    uncheckedCache.set(rules, kinds);
  }
  return kinds;
}

interface Extensions {
  rules: DescExtension;
  required: DescExtension;
  disabled: DescExtension;
  ignored: DescExtension;
  fieldRules: DescMessage;
}

let extensions: Extensions | undefined;

function validateExtensions(): Extensions {
  if (extensions === undefined) {
    const reg = envoyDescriptors();
    const ext = (name: string): DescExtension => {
      const found = reg.getExtension(name);
      if (found === undefined) throw new Error(`descriptor set has no extension ${name}`);
      return found;
    };
    const fieldRules = reg.getMessage('validate.FieldRules');
    if (fieldRules === undefined) throw new Error('descriptor set has no validate.FieldRules');
    extensions = {
      rules: ext('validate.rules'),
      required: ext('validate.required'),
      disabled: ext('validate.disabled'),
      ignored: ext('validate.ignored'),
      fieldRules,
    };
  }
  return extensions;
}

const fieldRulesCache = new Map<DescField, FieldRules | undefined>();

/** The `(validate.rules)` of a field, or undefined when it has none. Decoded once per field. */
export function fieldRules(field: DescField): FieldRules | undefined {
  if (fieldRulesCache.has(field)) return fieldRulesCache.get(field);
  const ext = validateExtensions();
  const options = field.proto.options;
  let rules: FieldRules | undefined;
  if (options !== undefined && hasExtension(options, ext.rules)) {
    const json = toJson(ext.fieldRules, getExtension(options, ext.rules) as Message, {
      useProtoFieldName: true,
    });
    rules = json as FieldRules;
  }
  fieldRulesCache.set(field, rules);
  return rules;
}

const oneofCache = new Map<DescOneof, boolean>();

/** Whether a oneof carries `(validate.required) = true`: exactly one member must be set. Read once per oneof. */
export function oneofRequired(oneof: DescOneof): boolean {
  let required = oneofCache.get(oneof);
  if (required === undefined) {
    const options = oneof.proto.options;
    const ext = validateExtensions().required;
    required = options !== undefined && hasExtension(options, ext) && getExtension(options, ext) === true;
    oneofCache.set(oneof, required);
  }
  return required;
}

const disabledCache = new Map<DescMessage, boolean>();

/**
 * Whether a message opts out of validation: `option (validate.disabled) = true` or `(validate.ignored) = true`.
 * Read once per message type.
 */
export function messageDisabled(desc: DescMessage): boolean {
  let disabled = disabledCache.get(desc);
  if (disabled === undefined) {
    const options = desc.proto.options;
    const ext = validateExtensions();
    disabled =
      options !== undefined &&
      [ext.disabled, ext.ignored].some((e) => hasExtension(options, e) && getExtension(options, e) === true);
    disabledCache.set(desc, disabled);
  }
  return disabled;
}

let unchecked: string[] | undefined;

/**
 * Every rule kind that some field of the generated Envoy set uses and the checker does not implement, as
 * `<message>.<field>: <kind>`, sorted. Expected empty; a test keeps it so, and the checker reports any such rule on a
 * set field as a violation (it fails closed) rather than ignoring it.
 */
export function uncheckedRuleKinds(): string[] {
  if (unchecked === undefined) {
    const found: string[] = [];
    for (const desc of envoyDescriptors()) {
      if (desc.kind !== 'message') continue;
      for (const field of desc.fields) {
        const rules = fieldRules(field);
        const kinds = rules === undefined ? [] : uncheckedKinds(rules);
        found.push(...kinds.map((kind) => `${desc.typeName}.${field.name}: ${kind}`));
      }
    }
    unchecked = found.sort();
  }
  return unchecked;
}
