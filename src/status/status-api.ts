/**
 * The status writer's view of the API server: read a policy's status, merge-patch its status subresource. An interface
 * so the writer's queue logic is tested without a server; {@link kubeStatusApi} is the implementation over
 * @kubernetes/client-node (tested against the fake API server).
 */
import { ApiException, CustomObjectsApi, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { KubeConfig } from '@kubernetes/client-node';
import { API_GROUP, API_VERSION, POLICY_PLURAL } from '../api/group.js';

/** What the writer needs to know about a policy as stored. */
export interface StoredPolicy {
  /** metadata.uid (Events refer to it). */
  uid: string;
  /** metadata.resourceVersion, opaque; sent back as a precondition so a concurrent change gives 409. */
  resourceVersion: string;
  /** metadata.generation. */
  generation: number;
  /** `status` as stored (anything). */
  status: unknown;
}

/** The API server rejected a write because the object changed since it was read (HTTP 409). */
export class ConflictError extends Error {
  /** Creates the error. */
  constructor(message: string) {
    super(message);
    this.name = 'ConflictError';
  }
}

/** Reads and writes policy status. */
export interface PolicyStatusApi {
  /** The stored policy, or undefined when it does not exist (404). */
  get(namespace: string, name: string): Promise<StoredPolicy | undefined>;
  /**
   * Merge-patches `status` with `resourceVersion` as precondition. Resolves to the stored policy after the write;
   * undefined when the policy is gone (404); throws {@link ConflictError} on 409.
   */
  patchStatus(
    namespace: string,
    name: string,
    patch: { resourceVersion: string; status: Record<string, unknown> },
  ): Promise<StoredPolicy | undefined>;
}

/** Reads a custom object leniently into a {@link StoredPolicy}. */
function stored(object: unknown): StoredPolicy {
  const o = object as { metadata?: Record<string, unknown>; status?: unknown } | null;
  const metadata = o?.metadata ?? {};
  return {
    uid: typeof metadata.uid === 'string' ? metadata.uid : '',
    resourceVersion: typeof metadata.resourceVersion === 'string' ? metadata.resourceVersion : '',
    generation: typeof metadata.generation === 'number' ? metadata.generation : 0,
    status: o?.status,
  };
}

function statusCode(error: unknown): number | undefined {
  return error instanceof ApiException ? error.code : undefined;
}

/**
 * {@link PolicyStatusApi} over client-node's CustomObjectsApi: reads the object (RBAC `get` on apisecuritypolicies, next
 * to list/watch), writes the status subresource with a JSON merge patch (RBAC `patch` on apisecuritypolicies/status).
 */
export function kubeStatusApi(kubeConfig: KubeConfig): PolicyStatusApi {
  const api = kubeConfig.makeApiClient(CustomObjectsApi);
  const target = (
    namespace: string,
    name: string,
  ): Parameters<CustomObjectsApi['getNamespacedCustomObject']>[0] => ({
    group: API_GROUP,
    version: API_VERSION,
    plural: POLICY_PLURAL,
    namespace,
    name,
  });
  return {
    async get(namespace, name) {
      try {
        return stored(await api.getNamespacedCustomObject(target(namespace, name)));
      } catch (error) {
        if (statusCode(error) === 404) return undefined;
        throw error;
      }
    },
    async patchStatus(namespace, name, patch) {
      const body = { metadata: { resourceVersion: patch.resourceVersion }, status: patch.status };
      try {
        const result: unknown = await api.patchNamespacedCustomObjectStatus(
          { ...target(namespace, name), body },
          setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
        );
        return stored(result);
      } catch (error) {
        const code = statusCode(error);
        if (code === 404) return undefined;
        if (code === 409) throw new ConflictError(`${namespace}/${name} changed since it was read`);
        throw error;
      }
    },
  };
}
