/**
 * Schema building blocks shared by every part of the ApiSecurityPolicy API.
 *
 * The TypeBox schemas in this folder are the single source of truth: the TypeScript types are derived from them
 * (`Static<>`), the CRD's OpenAPI schema is generated from them (src/api/crd.ts), and the validator checks
 * manifests against them. Keywords named `x-kubernetes-*` are understood by the API server; the validator
 * enforces the same ones (see src/translate/validate/).
 */
import {
  Type,
  type TSchema,
  type TObject,
  type TProperties,
  type TUnsafe,
  type TArray,
  type TString,
  type ObjectOptions,
} from '@sinclair/typebox';

/** A CEL validation rule as the API server understands it. */
export interface CelRule {
  /** The CEL expression; `self` is the object the rule is attached to. */
  rule: string;
  /** The message the API server returns when the rule fails. */
  message: string;
  /** Field the error is reported on, relative to `self` (e.g. `.remote`). */
  fieldPath?: string;
}

/** An object that refuses unknown fields (typos must not pass silently). */
export function strictObject<T extends TProperties>(
  properties: T,
  description: string,
  options: ObjectOptions = {},
): TObject<T> {
  return Type.Object(properties, { ...options, description, additionalProperties: false });
}

/** A CEL rule asserting that exactly one of the named optional fields is set. */
export function exactlyOneOf(fields: readonly string[]): CelRule {
  const terms = fields.map((f) => `(has(self.${f}) ? 1 : 0)`).join(' + ');
  return { rule: `${terms} == 1`, message: `exactly one of ${fields.join(', ')} must be set` };
}

/** Options attaching CEL rules to a schema. */
export function cel(...rules: CelRule[]): { 'x-kubernetes-validations': CelRule[] } {
  return { 'x-kubernetes-validations': rules };
}

/**
 * A non-empty list of unique scalars (`x-kubernetes-list-type: set`). Empty lists are refused because their
 * meaning is ambiguous (match nothing, or match anything?): omit the field instead.
 */
export function setOf<T extends TSchema>(item: T, maxItems: number, description: string): TArray<T> {
  return Type.Array(item, { description, minItems: 1, maxItems, 'x-kubernetes-list-type': 'set' });
}

/** A list of objects keyed by `name` (`x-kubernetes-list-type: map`); names are unique. */
export function namedList<T extends TSchema>(
  item: T,
  limits: { minItems?: number; maxItems: number },
  description: string,
): TArray<T> {
  return Type.Array(item, {
    description,
    minItems: limits.minItems ?? 0,
    maxItems: limits.maxItems,
    'x-kubernetes-list-type': 'map',
    'x-kubernetes-list-map-keys': ['name'],
  });
}

/** Go-style duration such as `500ms`, `5s`, `10m`, `1h30m`. */
export function duration(description: string, defaultValue?: string): TString {
  return Type.String({
    description,
    pattern: '^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$',
    maxLength: 32,
    ...(defaultValue === undefined ? {} : { default: defaultValue }),
  });
}

/** Pattern of a DNS-1123 label (at most 63 characters). */
export const DNS_LABEL_PATTERN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';
/** Pattern of a DNS-1123 subdomain (at most 253 characters). */
export const DNS_SUBDOMAIN_PATTERN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$';

/** A DNS-1123 label: lower-case alphanumerics and '-', at most 63 characters. */
export function dnsLabel(description: string): TString {
  return Type.String({ description, pattern: DNS_LABEL_PATTERN, minLength: 1, maxLength: 63 });
}

/** A DNS-1123 subdomain, the format of most Kubernetes object names. */
export function dnsSubdomain(description: string): TString {
  return Type.String({ description, pattern: DNS_SUBDOMAIN_PATTERN, minLength: 1, maxLength: 253 });
}

/** An HTTP header name (RFC 9110 token), compared case-insensitively. */
export function headerName(description: string): TString {
  return Type.String({ description, pattern: "^[A-Za-z0-9!#$%&'*+.^_`|~-]+$", minLength: 1, maxLength: 256 });
}

/** HTTP methods that rules, limits and request validation may name. */
export const HTTP_METHODS = [
  'CONNECT',
  'DELETE',
  'GET',
  'HEAD',
  'OPTIONS',
  'PATCH',
  'POST',
  'PUT',
  'TRACE',
] as const;

/** A string restricted to a fixed set of values (an OpenAPI `enum`, as CRDs expect). */
export function stringEnum<const T extends readonly string[]>(
  values: T,
  description: string,
  defaultValue?: T[number],
): TUnsafe<T[number]> {
  return Type.Unsafe<T[number]>({
    type: 'string',
    enum: [...values],
    description,
    ...(defaultValue === undefined ? {} : { default: defaultValue }),
  });
}

/** A map from string keys to string values (an OpenAPI `additionalProperties` map). */
export function stringMap(description: string, maxProperties: number): TUnsafe<Record<string, string>> {
  return Type.Unsafe<Record<string, string>>({
    type: 'object',
    description,
    maxProperties,
    additionalProperties: { type: 'string', maxLength: 63 },
  });
}

/** One HTTP method. */
export const HttpMethod = stringEnum(HTTP_METHODS, 'An HTTP method in upper case.');

/** A request path pattern: `/orders` matches exactly, `/orders/*` matches any path below `/orders/`. */
export const PathPattern = Type.String({
  description:
    'A request path, matched case-sensitively after normalisation. `/orders` matches exactly; `/orders/*` ' +
    'matches every path below `/orders/`; `/*` matches every path.',
  pattern: '^/[^?#\\s]*$',
  maxLength: 1024,
});

/** Reference to one key of a Secret in the policy's namespace. */
export const SecretKeyRef = strictObject(
  {
    name: dnsSubdomain('Name of a Secret in the policy namespace.'),
    key: Type.String({
      description: 'Key inside the Secret.',
      pattern: '^[-._a-zA-Z0-9]+$',
      minLength: 1,
      maxLength: 253,
    }),
  },
  'A key of a Secret in the same namespace as the policy.',
);

/** Reference to one key of a ConfigMap in the policy's namespace. */
export const ConfigMapKeyRef = strictObject(
  {
    name: dnsSubdomain('Name of a ConfigMap in the policy namespace.'),
    key: Type.String({
      description: 'Key inside the ConfigMap.',
      pattern: '^[-._a-zA-Z0-9]+$',
      minLength: 1,
      maxLength: 253,
    }),
  },
  'A key of a ConfigMap in the same namespace as the policy.',
);

/** A Kubernetes label selector requirement. */
export const LabelSelectorRequirement = strictObject(
  {
    key: Type.String({ description: 'The label key the selector applies to.', minLength: 1, maxLength: 317 }),
    operator: stringEnum(
      ['In', 'NotIn', 'Exists', 'DoesNotExist'] as const,
      'How the key relates to the values: In, NotIn, Exists or DoesNotExist.',
    ),
    values: Type.Optional(
      setOf(
        Type.String({ maxLength: 63 }),
        64,
        'Values for In and NotIn (non-empty); must be empty for Exists and DoesNotExist.',
      ),
    ),
  },
  'A label requirement: a key, an operator and values.',
  cel({
    rule: "self.operator in ['In', 'NotIn'] ? has(self.values) && size(self.values) > 0 : !has(self.values) || size(self.values) == 0",
    message: 'values must be non-empty for In and NotIn, and empty for Exists and DoesNotExist',
  }),
);

const LabelSelectorSchema = strictObject(
  {
    matchLabels: Type.Optional(stringMap('Labels that must all be present with these values.', 64)),
    matchExpressions: Type.Optional(
      Type.Array(LabelSelectorRequirement, {
        description: 'Label requirements that must all hold.',
        maxItems: 32,
      }),
    ),
  },
  'A label selector; `{}` selects everything.',
  { 'x-kubernetes-map-type': 'atomic' },
);

/** A Kubernetes label selector; `{}` selects everything. */
export function labelSelector(description: string): typeof LabelSelectorSchema {
  return { ...LabelSelectorSchema, description };
}

/** Re-exported so other schema modules need only this file. */
export { Type };
