/**
 * The data of Secrets and ConfigMaps read from manifests. Values are never put into messages.
 */
import { Buffer } from 'node:buffer';
import type { Problem } from '../../translate/problem.js';
import { asRecord } from './fields.js';

/** Key → value, and the entries that were skipped (with the field path of each, for its line). */
export interface DataResult {
  /** The usable entries. */
  data: Record<string, string>;
  /** Entries skipped as malformed. */
  problems: Problem[];
}

/** Standard base64 (what the API server accepts in Secret `data`), after line breaks are removed. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Decodes one Secret `data` value, or undefined when it is not base64 text. */
function decodeBase64(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  // Go's decoder, which the API server uses, ignores CR and LF; YAML block scalars may add them.
  const compact = value.replace(/[\r\n]/g, '');
  return BASE64.test(compact) ? Buffer.from(compact, 'base64').toString('utf8') : undefined;
}

/** Reads the entries of the mapping at `field`, converting each value; entries that do not convert are problems. */
function readEntries(
  object: Record<string, unknown>,
  field: string,
  convert: (value: unknown) => string | undefined,
  expected: string,
): DataResult {
  const entries: Array<[string, string]> = [];
  const problems: Problem[] = [];
  for (const [key, value] of Object.entries(asRecord(object[field]) ?? {})) {
    const converted = convert(value);
    if (converted === undefined) problems.push({ path: [field, key], message: `not ${expected}; ignored` });
    else entries.push([key, converted]);
  }
  // fromEntries defines own properties, so even a key named `__proto__` stays data.
  return { data: Object.fromEntries(entries), problems };
}

/** The value when it is a string. */
function asText(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** A Secret's data: base64-decoded `data` (as UTF-8 text), with `stringData` merged over it as the API server does. */
export function secretData(object: Record<string, unknown>): DataResult {
  const encoded = readEntries(object, 'data', decodeBase64, 'base64 text');
  const plain = readEntries(object, 'stringData', asText, 'a string');
  return { data: { ...encoded.data, ...plain.data }, problems: [...encoded.problems, ...plain.problems] };
}

/** A ConfigMap's `data` (string values only; `binaryData` is not read). */
export function configMapData(object: Record<string, unknown>): DataResult {
  return readEntries(object, 'data', asText, 'a string');
}
