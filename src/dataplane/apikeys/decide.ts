/**
 * The API-key decision, pure: which of the port's listed clients (API_KEY_CHECK_METADATA, caller's namespace only)
 * holds the presented key. The key is read from the one place the sidecar names (`header:<name>` or
 * `query:<name>`), hashed at once and compared with every candidate's hash in constant time; it is never returned,
 * logged or kept.
 */
import { API_KEY_CHECK_METADATA, AUDIT_API_KEY_CHECK } from '../../api/contracts.js';
import type { CheckRequest } from '../../gen/envoy/service/auth/v3/external_auth.js';
import type { KeyHasher } from '../key-hash.js';
import { matchHash } from '../key-hash.js';
import type { ApiKeyClient, DataplaneState } from '../state.js';

/** Bounds on the metadata a caller sends. */
export const CHECK_LIMITS = {
  /** Client ids listed per call. */
  maxClients: 256,
  /** Bytes of the clients list. */
  maxClientsBytes: 64 * 1024,
  /** Bytes of a presented key (longer keys are unknown without hashing). */
  maxKeyBytes: 4096,
} as const;

/** What the call's metadata says. */
export interface CheckContext {
  /** Listed client ids. */
  clients: string[];
  /** Where the key is: a header name (lower case) or a query parameter. */
  source: { header: string } | { query: string };
  /** Enforce, or the Audit-mode check. */
  mode: 'enforce' | 'audit';
}

/** The decision. */
export type KeyDecision =
  { kind: 'client'; client: ApiKeyClient } | { kind: 'no-key' } | { kind: 'unknown-key' };

/** Reads a metadata value (first one) from a metadata getter. */
type MetadataGet = (key: string) => string | undefined;

function parseSource(source: string): CheckContext['source'] | undefined {
  const colon = source.indexOf(':');
  const kind = source.slice(0, colon);
  const name = source.slice(colon + 1);
  if (colon < 0 || name === '') return undefined;
  if (kind === 'header') return { header: name.toLowerCase() };
  return kind === 'query' ? { query: name } : undefined;
}

function parseClients(clients: string): string[] | string {
  if (Buffer.byteLength(clients) > CHECK_LIMITS.maxClientsBytes) return 'the clients list is too long';
  const ids = clients === '' ? [] : clients.split(',');
  return ids.length > CHECK_LIMITS.maxClients ? `more than ${CHECK_LIMITS.maxClients} clients listed` : ids;
}

/** The check context from the call's metadata, or why the call is refused. */
export function checkContext(get: MetadataGet): CheckContext | string {
  const clients = parseClients(get(API_KEY_CHECK_METADATA.clients) ?? '');
  if (typeof clients === 'string') return clients;
  const source = parseSource(get(API_KEY_CHECK_METADATA.source) ?? '');
  if (source === undefined) return `${API_KEY_CHECK_METADATA.source} must be header:<name> or query:<name>`;
  const mode = get(API_KEY_CHECK_METADATA.mode);
  if (mode !== undefined && mode !== AUDIT_API_KEY_CHECK.mode)
    return `unknown ${API_KEY_CHECK_METADATA.mode}`;
  return { clients, source, mode: mode === undefined ? 'enforce' : 'audit' };
}

function headerValue(request: CheckRequest, name: string): string | undefined {
  const http = request.attributes?.request?.http;
  const direct = http?.headers[name];
  if (direct !== undefined) return direct;
  const entry = http?.headerMap?.headers.find((h) => h.key.toLowerCase() === name);
  if (entry === undefined) return undefined;
  return entry.value !== '' ? entry.value : Buffer.from(entry.rawValue).toString('utf8');
}

/** The query parameter `name` of a path (`/a?b=c`), URL-decoded; the first occurrence. */
export function queryParameter(path: string, name: string): string | undefined {
  const question = path.indexOf('?');
  if (question < 0) return undefined;
  const query = path.slice(question + 1).split('#')[0] ?? '';
  const value = new URLSearchParams(query).get(name);
  return value ?? undefined;
}

/** The presented key, or undefined when the request carries none. */
export function presentedKey(request: CheckRequest, source: CheckContext['source']): string | undefined {
  const value =
    'header' in source
      ? headerValue(request, source.header)
      : queryParameter(
          headerValue(request, ':path') ?? request.attributes?.request?.http?.path ?? '',
          source.query,
        );
  return value === undefined || value === '' ? undefined : value;
}

/**
 * Decides a check: no key, the client holding it, or an unknown key. Only clients that are listed, exist in the
 * state and belong to the caller's namespace are candidates.
 */
export function decide(
  request: CheckRequest,
  context: CheckContext,
  env: { state: DataplaneState; hasher: KeyHasher; callerNamespace: string },
): KeyDecision {
  const key = presentedKey(request, context.source);
  if (key === undefined) return { kind: 'no-key' };
  if (Buffer.byteLength(key) > CHECK_LIMITS.maxKeyBytes) return { kind: 'unknown-key' };
  const candidates = context.clients.flatMap((id) => {
    const client = env.state.clients.get(id);
    return client !== undefined && client.namespace === env.callerNamespace ? [client] : [];
  });
  const index = matchHash(
    env.hasher.hash(key),
    candidates.map((c) => c.hash),
  );
  const client = candidates[index];
  return client === undefined ? { kind: 'unknown-key' } : { kind: 'client', client };
}
