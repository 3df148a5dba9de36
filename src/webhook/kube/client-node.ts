/**
 * {@link WebhookKubeClient} over @kubernetes/client-node 2.0.1. Thin on purpose: each method is one API call; 404
 * reads as undefined, 409 as {@link ConflictError}, and a refused dry-run as its Status message. Error texts carry
 * the HTTP code and the API's message, never a Secret's data.
 */
import {
  AdmissionregistrationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import type {
  KubeConfig,
  V1MutatingWebhookConfiguration,
  V1ValidatingWebhookConfiguration,
} from '@kubernetes/client-node';
import { API_GROUP, API_VERSION, POLICY_PLURAL } from '../../api/group.js';
import { ConflictError } from './client.js';
import type { DryRunOutcome, WebhookEntry, WebhookKind, WebhookKubeClient } from './client.js';

function codeOf(error: unknown): number | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'number') {
    return error.code;
  }
  return undefined;
}

/** The `message` of a Kubernetes Status in an ApiException body (a string or an object). */
function parseBody(error: unknown): unknown {
  const body = typeof error === 'object' && error !== null && 'body' in error ? error.body : undefined;
  if (typeof body !== 'string') return body;
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return { message: body };
  }
}

function statusMessage(error: unknown): string {
  const parsed = parseBody(error);
  if (
    typeof parsed === 'object' &&
    parsed !== null &&
    'message' in parsed &&
    typeof parsed.message === 'string'
  ) {
    return parsed.message;
  }
  return error instanceof Error ? error.message : String(error);
}

function rethrow(error: unknown, what: string): never {
  if (codeOf(error) === 409) throw new ConflictError(`${what}: conflict`);
  throw new Error(`${what}: HTTP ${codeOf(error) ?? '?'}: ${statusMessage(error)}`);
}

async function orUndefined<T>(call: Promise<T>, what: string): Promise<T | undefined> {
  try {
    return await call;
  } catch (error) {
    if (codeOf(error) === 404) return undefined;
    return rethrow(error, what);
  }
}

function decode(data: Record<string, string> | undefined): Record<string, string> {
  return Object.fromEntries(
    Object.entries(data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]),
  );
}

function encode(data: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')]));
}

function entries(
  configuration: V1MutatingWebhookConfiguration | V1ValidatingWebhookConfiguration,
): WebhookEntry[] {
  return (configuration.webhooks ?? []).map((w) => ({
    name: w.name,
    caBundle: w.clientConfig.caBundle ?? '',
    failurePolicy: w.failurePolicy ?? 'Fail',
  }));
}

const SECRET_LABELS = { 'app.kubernetes.io/name': 'aspen', 'aspen.dev/managed-by': 'aspen' };

/** The client-node implementation of {@link WebhookKubeClient}. */
export function kubeWebhookClient(kubeConfig: KubeConfig): WebhookKubeClient {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const admission = kubeConfig.makeApiClient(AdmissionregistrationV1Api);
  const custom = kubeConfig.makeApiClient(CustomObjectsApi);
  const jsonPatch = setHeaderOptions('Content-Type', PatchStrategy.JsonPatch);
  return {
    async readSecret(namespace, name) {
      const secret = await orUndefined(core.readNamespacedSecret({ namespace, name }), `read Secret ${name}`);
      if (secret === undefined) return undefined;
      return { data: decode(secret.data), resourceVersion: secret.metadata?.resourceVersion ?? '' };
    },
    async createSecret(namespace, name, data) {
      const body = {
        metadata: { name, namespace, labels: SECRET_LABELS },
        type: 'Opaque',
        data: encode(data),
      };
      await core
        .createNamespacedSecret({ namespace, body })
        .catch((e: unknown) => rethrow(e, `create Secret ${name}`));
    },
    async updateSecret(namespace, name, update) {
      const body = {
        metadata: { name, namespace, labels: SECRET_LABELS, resourceVersion: update.resourceVersion },
        type: 'Opaque',
        data: encode(update.data),
      };
      await core
        .replaceNamespacedSecret({ namespace, name, body })
        .catch((e: unknown) => rethrow(e, `update Secret ${name}`));
    },
    async readWebhooks(kind: WebhookKind, name: string) {
      const read =
        kind === 'mutating'
          ? admission.readMutatingWebhookConfiguration({ name })
          : admission.readValidatingWebhookConfiguration({ name });
      const configuration = await orUndefined<
        V1MutatingWebhookConfiguration | V1ValidatingWebhookConfiguration
      >(read, `read ${name}`);
      return configuration === undefined ? undefined : entries(configuration);
    },
    async patchWebhooks(kind, name, patch) {
      const body = [...patch];
      const call =
        kind === 'mutating'
          ? admission.patchMutatingWebhookConfiguration({ name, body }, jsonPatch)
          : admission.patchValidatingWebhookConfiguration({ name, body }, jsonPatch);
      await (call as Promise<unknown>).catch((e: unknown) => rethrow(e, `patch ${name}`));
    },
    async dryRunCreate(object): Promise<DryRunOutcome> {
      const metadata = object.metadata as { namespace?: string } | undefined;
      try {
        await custom.createNamespacedCustomObject({
          group: API_GROUP,
          version: API_VERSION,
          namespace: metadata?.namespace ?? 'default',
          plural: POLICY_PLURAL,
          body: object,
          dryRun: 'All',
        });
        return { allowed: true };
      } catch (error) {
        const code = codeOf(error);
        if (code === undefined || code >= 500) return rethrow(error, 'dry-run create');
        return { allowed: false, message: statusMessage(error) };
      }
    },
    async namespaceLabels(name) {
      const namespace = await orUndefined(core.readNamespace({ name }), `read Namespace ${name}`);
      return namespace === undefined ? undefined : (namespace.metadata?.labels ?? {});
    },
  };
}
