/** Resolution of the Secrets and ConfigMaps a policy references (always in the policy's namespace). */
import type { ApiSecurityPolicy } from '../api/v1alpha1/types.js';
import type { JwksIR } from '../ir/index.js';
import type { PathSegment, Problem } from './problem.js';
import type { DataKind, SnapshotReader } from './snapshot-index.js';
import { Reason } from './status.js';
import { jwksDocumentProblem } from './jwks-document.js';

/** A reference that does not resolve. */
export interface RefProblem extends Problem {
  /** RefNotFound (object or key missing) or InvalidRef (content unusable). */
  reason: typeof Reason.RefNotFound | typeof Reason.InvalidRef;
}

/** What resolving a policy's references found. */
export interface ResolvedRefs {
  /** Every reference that does not resolve, in field order. */
  problems: RefProblem[];
  /** JWKS documents read from Secrets, by index of the JWT provider in spec.jwt.providers. */
  jwks: Map<number, JwksIR>;
}

/** A `{ name, key }` reference to one key of a Secret or ConfigMap. */
interface KeyRef {
  name: string;
  key: string;
}

/** Where to look a reference up, and how to name that kind of object in messages. */
interface Store {
  kind: DataKind;
  reader: SnapshotReader;
  namespace: string;
}

/** The value a reference points at, or the problem that prevents reading it. */
function lookup(store: Store, ref: KeyRef, path: PathSegment[]): { value: string } | { problem: RefProblem } {
  const obj = store.reader.dataObject(store.kind, store.namespace, ref.name);
  const name = `${store.kind} ${store.namespace}/${ref.name}`;
  if (obj === undefined)
    return { problem: { path, message: `${name} not found`, reason: Reason.RefNotFound } };
  if (!Object.hasOwn(obj.data, ref.key)) {
    return { problem: { path, message: `${name} has no key "${ref.key}"`, reason: Reason.RefNotFound } };
  }
  return { value: obj.data[ref.key] ?? '' };
}

function resolveJwks(store: Store, policy: ApiSecurityPolicy, out: ResolvedRefs): void {
  for (const [i, provider] of (policy.spec.jwt?.providers ?? []).entries()) {
    const ref = provider.jwks.secretRef;
    if (ref === undefined) continue;
    const path = ['spec', 'jwt', 'providers', i, 'jwks', 'secretRef'];
    const found = lookup(store, ref, path);
    if ('problem' in found) {
      out.problems.push(found.problem);
      continue;
    }
    // The same check as an inline JWKS; its messages never echo the document.
    const why = jwksDocumentProblem(found.value);
    if (why !== undefined) {
      const message = `Secret ${store.namespace}/${ref.name} key "${ref.key}": ${why}`;
      out.problems.push({ path, message, reason: Reason.InvalidRef });
      continue;
    }
    const fromSecret = { namespace: store.namespace, name: ref.name, key: ref.key };
    out.jwks.set(i, { inline: found.value, fromSecret });
  }
}

function resolveApiKeys(store: Store, policy: ApiSecurityPolicy, out: ResolvedRefs): void {
  for (const [i, client] of (policy.spec.apiKeys?.clients ?? []).entries()) {
    const found = lookup(store, client.secretRef, ['spec', 'apiKeys', 'clients', i, 'secretRef']);
    if ('problem' in found) out.problems.push(found.problem);
  }
}

function resolveOpenApi(store: Store, policy: ApiSecurityPolicy, out: ResolvedRefs): void {
  const ref = policy.spec.requestValidation?.openapi?.configMapRef;
  if (ref === undefined) return;
  const found = lookup(store, ref, ['spec', 'requestValidation', 'openapi', 'configMapRef']);
  if ('problem' in found) out.problems.push(found.problem);
}

/** Resolves every Secret and ConfigMap reference of a valid policy living in `namespace`. */
export function resolveRefs(
  policy: ApiSecurityPolicy,
  namespace: string,
  reader: SnapshotReader,
): ResolvedRefs {
  const out: ResolvedRefs = { problems: [], jwks: new Map() };
  const secrets: Store = { kind: 'Secret', reader, namespace };
  resolveJwks(secrets, policy, out);
  resolveApiKeys(secrets, policy, out);
  resolveOpenApi({ kind: 'ConfigMap', reader, namespace }, policy, out);
  return out;
}
