/**
 * What the dataplane knows: the API-key clients (with only a keyed hash of each key) and the Global rate limits of
 * every valid policy, plus each policy's logging settings. Derived by one pure function from the valid policies and
 * the hashed Secrets, the same way in `aspen serve` (from its directory) and in `aspen dataplane` (from the cluster);
 * see docs/adr/0021-dataplane-state-source.md.
 */
import type { ApiSecurityPolicy } from '../api/v1alpha1/types.js';
import { compileApiKeys } from '../translate/apikeys.js';
import type { CompileContext } from '../translate/compiled.js';
import { compileRateLimits } from '../translate/ratelimit.js';
import { emptySnapshot } from '../provider/snapshot.js';
import type { SecretHashes } from './key-hash.js';
import { secretRefKey } from './key-hash.js';

/** One API-key client. */
export interface ApiKeyClient {
  /** `<namespace>/<policy>/<client>`, as the sidecar lists it (API_KEY_CHECK_METADATA.clients). */
  id: string;
  /** The client name returned in API_KEY_CLIENT_HEADER. */
  name: string;
  /** Namespace of the policy: only callers from this namespace may check this client's key. */
  namespace: string;
  /** `<namespace>/<policy>`. */
  policy: string;
  /** Keyed hash of the key, or undefined when the Secret or its key is missing (then no key matches). */
  hash: Buffer | undefined;
}

/** One Global rate limit. */
export interface GlobalLimit {
  /** `<namespace>/<policy>/<limit>`: the descriptor's `rule` entry. */
  id: string;
  /** `<namespace>/<policy>`: the descriptor's `policy` entry. */
  policy: string;
  /** Namespace of the policy: only callers from this namespace may be counted against it. */
  namespace: string;
  /** Tokens added per interval. */
  requests: number;
  /** Interval in milliseconds. */
  intervalMs: number;
  /** Bucket size above `requests`. */
  burst: number;
  /** What happens when the counters cannot be reached. */
  failureMode: 'Open' | 'Closed';
}

/** A policy's logging settings. */
export interface PolicyLogging {
  /** spec.logging.accessLog: false records denials and would-denials only. */
  accessLog: boolean;
  /** Header names (lower case) never logged. */
  redactHeaders: string[];
}

/** Everything the dataplane's services read; replaced whole on every change. */
export interface DataplaneState {
  /** API-key clients by id. */
  clients: Map<string, ApiKeyClient>;
  /** Global limits by id. */
  limits: Map<string, GlobalLimit>;
  /** Logging settings by policy key. */
  logging: Map<string, PolicyLogging>;
}

/** The state with nothing in it: every key is unknown, every descriptor refused. */
export function emptyState(): DataplaneState {
  return { clients: new Map(), limits: new Map(), logging: new Map() };
}

/** The Secrets (`<namespace>/<name>`) the policies' API-key clients reference, sorted. */
export function referencedSecrets(policies: readonly ApiSecurityPolicy[]): string[] {
  const refs = new Set<string>();
  for (const policy of policies) {
    const namespace = policy.metadata.namespace ?? 'default';
    for (const client of policy.spec.apiKeys?.clients ?? [])
      refs.add(`${namespace}/${client.secretRef.name}`);
  }
  return [...refs].sort();
}

function contextOf(policy: ApiSecurityPolicy): CompileContext {
  const namespace = policy.metadata.namespace ?? 'default';
  return {
    trustDomain: '',
    snapshot: emptySnapshot(),
    namespace,
    key: `${namespace}/${policy.metadata.name ?? ''}`,
  };
}

function addClients(state: DataplaneState, policy: ApiSecurityPolicy, secrets: SecretHashes): void {
  const ctx = contextOf(policy);
  for (const client of compileApiKeys(policy, ctx)?.clients ?? []) {
    state.clients.set(client.id, {
      id: client.id,
      name: client.name,
      namespace: ctx.namespace,
      policy: ctx.key,
      hash: secrets.get(secretRefKey(client.secretRef)),
    });
  }
}

function addLimits(state: DataplaneState, policy: ApiSecurityPolicy): void {
  const ctx = contextOf(policy);
  for (const limit of compileRateLimits(policy, ctx)) {
    if (limit.scope !== 'Global') continue;
    state.limits.set(limit.id, {
      id: limit.id,
      policy: ctx.key,
      namespace: ctx.namespace,
      requests: limit.requests,
      intervalMs: limit.intervalMs,
      burst: limit.burst,
      failureMode: limit.failureMode ?? 'Closed',
    });
  }
}

/**
 * The dataplane state of these valid, defaulted policies (as `translate()` returns them) and the keyed hashes of
 * the Secret entries they reference. An invalid policy is simply absent: its clients' keys are unknown (refused) and
 * its limits' descriptors are refused, which fails closed.
 */
export function buildState(policies: readonly ApiSecurityPolicy[], secrets: SecretHashes): DataplaneState {
  const state = emptyState();
  for (const policy of policies) {
    addClients(state, policy, secrets);
    addLimits(state, policy);
    const logging = policy.spec.logging;
    state.logging.set(contextOf(policy).key, {
      accessLog: logging?.accessLog ?? true,
      redactHeaders: (logging?.redactHeaders ?? []).map((h) => h.toLowerCase()),
    });
  }
  return state;
}

/** Holds the current state; services read it on every call, feeds replace it. */
export class StateHolder {
  private state: DataplaneState;
  private ready: boolean;

  /** Starts with `initial` (ready) or the empty state (not ready). */
  constructor(initial?: DataplaneState) {
    this.state = initial ?? emptyState();
    this.ready = initial !== undefined;
  }

  /** The current state. */
  get current(): DataplaneState {
    return this.state;
  }

  /** Whether a state was ever set. */
  get isReady(): boolean {
    return this.ready;
  }

  /** Replaces the state. */
  update(state: DataplaneState): void {
    this.state = state;
    this.ready = true;
  }
}
