/** API-key authentication: a policy's clients as IR, and the merge of several policies' API-key settings. */
import type { ApiKeyAuthentication, ApiSecurityPolicy } from '../api/v1alpha1/types.js';
import type { ApiKeysIR } from '../ir/index.js';
import type { CompileContext, CompiledPolicy, Merged } from './compiled.js';
import { sortById } from './sort.js';

function source(from: ApiKeyAuthentication['from']): ApiKeysIR['source'] {
  return from.header !== undefined ? { header: from.header.toLowerCase() } : { query: from.query ?? '' };
}

/** Renders where a key is read from, for messages: `header x-api-key` or `query api_key`. */
export function describeSource(src: ApiKeysIR['source']): string {
  return 'header' in src ? `header ${src.header}` : `query ${src.query}`;
}

/** A policy's API-key settings as IR, or undefined when it configures none. */
export function compileApiKeys(policy: ApiSecurityPolicy, ctx: CompileContext): ApiKeysIR | undefined {
  const apiKeys = policy.spec.apiKeys;
  if (apiKeys === undefined) return undefined;
  const clients = apiKeys.clients.map((c) => ({
    id: `${ctx.key}/${c.name}`,
    name: c.name,
    secretRef: { namespace: ctx.namespace, name: c.secretRef.name, key: c.secretRef.key },
  }));
  return { source: source(apiKeys.from), clients: sortById(clients) };
}

/**
 * API keys of several policies: clients unioned (sorted by id). The key is read from one place only; when the
 * policies name different places that is a conflict, and the place of the first policy by name applies.
 */
export function mergeApiKeys(policies: readonly CompiledPolicy[]): Merged<ApiKeysIR | undefined> {
  const configured = policies.flatMap((p) =>
    p.set.apiKeys === undefined ? [] : [{ key: p.key, ...p.set.apiKeys }],
  );
  const first = configured[0];
  if (first === undefined) return { value: undefined, conflicts: [] };
  const value = { source: first.source, clients: sortById(configured.flatMap((c) => c.clients)) };
  const described = configured.map((c) => ({ policy: c.key, value: describeSource(c.source) }));
  if (new Set(described.map((d) => d.value)).size === 1) return { value, conflicts: [] };
  const outcome = `the setting of the first policy by name applies (${describeSource(first.source)} of ${first.key})`;
  return { value, conflicts: [{ path: ['spec', 'apiKeys', 'from'], entries: described, outcome }] };
}
