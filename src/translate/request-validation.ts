/** Request validation: a policy's checks as IR, and the merge of several policies' checks. */
import type { ApiSecurityPolicy } from '../api/v1alpha1/types.js';
import type { RequestValidationIR } from '../ir/index.js';
import type { CompileContext, CompiledPolicy, Merged } from './compiled.js';
import type { Conflict } from './conflict.js';
import { stricterApplies } from './conflict.js';
import { compareStrings, sortedUnique } from './sort.js';

/** Request validation that checks nothing beyond the defaults (path parameters refused). */
export function emptyRequestValidation(): RequestValidationIR {
  return { requiredHeaders: [], allowPathParameters: false, openapi: [] };
}

/** A policy's request validation as IR (the defaults when it configures none). */
export function compileRequestValidation(
  policy: ApiSecurityPolicy,
  ctx: CompileContext,
): RequestValidationIR {
  const rv = policy.spec.requestValidation;
  const out = emptyRequestValidation();
  if (rv === undefined) return out;
  if (rv.maxBodyBytes !== undefined) out.maxBodyBytes = rv.maxBodyBytes;
  if (rv.maxHeadersKb !== undefined) out.maxHeadersKb = rv.maxHeadersKb;
  if (rv.allowedMethods !== undefined) out.allowedMethods = sortedUnique(rv.allowedMethods);
  if (rv.allowedContentTypes !== undefined) out.allowedContentTypes = sortedUnique(rv.allowedContentTypes);
  out.requiredHeaders = sortedUnique((rv.requiredHeaders ?? []).map((h) => h.toLowerCase()));
  out.allowPathParameters = rv.allowPathParameters ?? false;
  const ref = rv.openapi?.configMapRef;
  if (ref !== undefined) out.openapi = [{ namespace: ctx.namespace, name: ref.name, key: ref.key }];
  return out;
}

type AllowList = 'allowedMethods' | 'allowedContentTypes';
type Limit = 'maxBodyBytes' | 'maxHeadersKb';

function smallest(policies: readonly CompiledPolicy[], field: Limit): number | undefined {
  const values = policies.flatMap((p) => p.set.requestValidation[field] ?? []);
  return values.length === 0 ? undefined : Math.min(...values);
}

/**
 * The intersection of an allow-list over the policies that set it. An empty intersection of non-empty lists is a
 * conflict; the empty list is kept (nothing allowed is the stricter setting).
 */
function intersect(policies: readonly CompiledPolicy[], field: AllowList): Merged<string[] | undefined> {
  const lists = policies.flatMap((p) => {
    const list = p.set.requestValidation[field];
    return list === undefined ? [] : [{ policy: p.key, list }];
  });
  if (lists.length === 0) return { value: undefined, conflicts: [] };
  const value = lists.map((l) => l.list).reduce((acc, list) => acc.filter((v) => list.includes(v)));
  const conflicts: Conflict[] = [];
  if (value.length === 0 && lists.length > 1 && lists.every((l) => l.list.length > 0)) {
    conflicts.push({
      path: ['spec', 'requestValidation', field],
      entries: lists.map((l) => ({ policy: l.policy, value: `[${l.list.join(', ')}]` })),
      outcome: stricterApplies('nothing is allowed'),
    });
  }
  return { value, conflicts };
}

function openapiKey(ref: RequestValidationIR['openapi'][number]): string {
  return `${ref.namespace}/${ref.name}/${ref.key}`;
}

/**
 * Request validation of several policies: the smallest size limits, intersected allow-lists, the union of required
 * headers, path parameters allowed only if every policy allows them, every OpenAPI document.
 */
export function mergeRequestValidation(policies: readonly CompiledPolicy[]): Merged<RequestValidationIR> {
  const sets = policies.map((p) => p.set.requestValidation);
  const methods = intersect(policies, 'allowedMethods');
  const contentTypes = intersect(policies, 'allowedContentTypes');
  const openapi = new Map(sets.flatMap((s) => s.openapi).map((ref) => [openapiKey(ref), ref] as const));
  const value: RequestValidationIR = {
    requiredHeaders: sortedUnique(sets.flatMap((s) => s.requiredHeaders)),
    allowPathParameters: sets.length > 0 && sets.every((s) => s.allowPathParameters),
    openapi: [...openapi.keys()]
      .sort(compareStrings)
      .map((k) => openapi.get(k) as RequestValidationIR['openapi'][number]),
  };
  const maxBodyBytes = smallest(policies, 'maxBodyBytes');
  if (maxBodyBytes !== undefined) value.maxBodyBytes = maxBodyBytes;
  const maxHeadersKb = smallest(policies, 'maxHeadersKb');
  if (maxHeadersKb !== undefined) value.maxHeadersKb = maxHeadersKb;
  if (methods.value !== undefined) value.allowedMethods = methods.value;
  if (contentTypes.value !== undefined) value.allowedContentTypes = contentTypes.value;
  return { value, conflicts: [...methods.conflicts, ...contentTypes.conflicts] };
}
