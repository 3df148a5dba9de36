/**
 * The narrow Kubernetes client the webhooks need: Secret `aspen-webhook-tls`, the two webhook configurations
 * (read, JSON-patch), a server-side dry-run create (the failure-policy self-test) and namespace labels (injection).
 * `client-node.ts` implements it with @kubernetes/client-node; tests use an in-memory implementation.
 */

/** A Secret's data (decoded text) and version. */
export interface StoredSecret {
  /** Data values as text (the implementation does the base64). */
  readonly data: Readonly<Record<string, string>>;
  /** Opaque resourceVersion for optimistic updates. */
  readonly resourceVersion: string;
}

/** Which webhook configuration. */
export type WebhookKind = 'mutating' | 'validating';

/** The parts of one webhook entry aspen reads. */
export interface WebhookEntry {
  /** Entry name (`validate.aspen.dev`, …). */
  readonly name: string;
  /** Base64 of the PEM caBundle; empty when unset. */
  readonly caBundle: string;
  /** `Fail` or `Ignore`. */
  readonly failurePolicy: string;
}

/** An RFC 6902 operation on a webhook configuration. */
export interface ConfigPatchOperation {
  /** `test` guards an index by the entry's name; `add` sets a member. */
  readonly op: 'test' | 'add';
  /** JSON pointer. */
  readonly path: string;
  /** Value. */
  readonly value: string;
}

/** The outcome of a server-side dry-run create. */
export type DryRunOutcome =
  { readonly allowed: true } | { readonly allowed: false; readonly message: string };

/** Thrown by create/update when the object exists or changed meanwhile (HTTP 409). */
export class ConflictError extends Error {}

/** What the webhooks do against the API server. */
export interface WebhookKubeClient {
  /** Reads a Secret; undefined when absent. */
  readSecret(namespace: string, name: string): Promise<StoredSecret | undefined>;
  /** Creates a Secret; {@link ConflictError} when it exists. */
  createSecret(namespace: string, name: string, data: Readonly<Record<string, string>>): Promise<void>;
  /** Replaces a Secret's data at `resourceVersion`; {@link ConflictError} when it changed. */
  updateSecret(
    namespace: string,
    name: string,
    update: { readonly data: Readonly<Record<string, string>>; readonly resourceVersion: string },
  ): Promise<void>;
  /** The entries of a webhook configuration; undefined when it does not exist. */
  readWebhooks(kind: WebhookKind, name: string): Promise<readonly WebhookEntry[] | undefined>;
  /** Applies a JSON patch to a webhook configuration. */
  patchWebhooks(kind: WebhookKind, name: string, patch: readonly ConfigPatchOperation[]): Promise<void>;
  /** Creates an aspen.dev object with `dryRun=All`: the API server runs admission and stores nothing. */
  dryRunCreate(object: Readonly<Record<string, unknown>>): Promise<DryRunOutcome>;
  /** Labels of a namespace; undefined when it does not exist. */
  namespaceLabels(name: string): Promise<Readonly<Record<string, string>> | undefined>;
}
