/**
 * Keeps the cluster's aspen-managed NetworkPolicies equal to the desired set (network-policy.ts): creates missing
 * ones, replaces changed ones (resourceVersion precondition; a conflict is retried at the next reconcile), deletes
 * managed ones no policy wants any more. Leader only: {@link ReconcilerOptions.isLeader} is checked before every
 * write. A policy that still exists but is currently invalid keeps its last NetworkPolicy (fail closed: its sidecars
 * deny on its ports, and the network layer is not opened meanwhile). Deleting a policy also garbage-collects its
 * NetworkPolicy through the owner reference; the reconciler covers owners without a uid and missed deletions.
 */
import { ApiException, NetworkingV1Api } from '@kubernetes/client-node';
import type { KubeConfig, V1NetworkPolicy } from '@kubernetes/client-node';
import { stableJson } from '../status/stable-json.js';
import type { Logger } from '../xds/server/types.js';
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE, NAME_PREFIX, POLICY_ANNOTATION } from './network-policy.js';
import type { NetworkPolicyObject } from './network-policy.js';

/** What a {@link NetworkPolicyReconciler} is built from. */
export interface ReconcilerOptions {
  /** API access. */
  kubeConfig: KubeConfig;
  /** Whether this replica may write now. */
  isLeader: () => boolean;
  /** Logger. */
  logger: Logger;
}

/** What one reconcile did (`<namespace>/<name>` lists, sorted). */
export interface ReconcileResult {
  /** Created. */
  created: string[];
  /** Replaced. */
  updated: string[];
  /** Deleted. */
  deleted: string[];
  /** Writes that failed (logged; retried at the next reconcile). */
  failed: string[];
}

/**
 * client-node's model names the ingress rule's `from` `_from` and drops a plain `from` when serialising: sent as is,
 * a rule would lose its sources and admit everyone. Convert explicitly, both ways.
 */
export function toClientModel(np: NetworkPolicyObject, resourceVersion?: string): V1NetworkPolicy {
  return {
    ...np,
    metadata: { ...np.metadata, ...(resourceVersion === undefined ? {} : { resourceVersion }) },
    spec: {
      ...np.spec,
      ingress: np.spec.ingress.map(({ from, ...rest }) =>
        from === undefined ? rest : { ...rest, _from: from },
      ),
    },
  };
}

/** The spec of a NetworkPolicy read through client-node, as Kubernetes JSON (`_from` → `from`). */
function plainSpec(np: V1NetworkPolicy): unknown {
  const spec = np.spec;
  if (spec === undefined) return undefined;
  const ingress = spec.ingress?.map(({ _from, ...rest }): Record<string, unknown> =>
    _from === undefined ? rest : { ...rest, from: _from },
  );
  return { ...spec, ...(ingress === undefined ? {} : { ingress }) };
}

function keyOf(np: { metadata?: { namespace?: string; name?: string } }): string {
  return `${np.metadata?.namespace ?? ''}/${np.metadata?.name ?? ''}`;
}

/** The parts aspen sets; equal parts mean no write. */
function managedParts(metadata: V1NetworkPolicy['metadata'], spec: unknown): string {
  const m = metadata ?? {};
  return stableJson({
    labels: m.labels?.[MANAGED_BY_LABEL],
    policy: m.annotations?.[POLICY_ANNOTATION],
    owners: (m.ownerReferences ?? []).map((o) => [
      o.apiVersion,
      o.kind,
      o.name,
      o.uid,
      o.controller ?? false,
    ]),
    spec,
  });
}

/** Whether a managed NetworkPolicy is a segmentation one (aspen may manage other kinds later). */
function isSegmentation(np: V1NetworkPolicy): boolean {
  return (
    (np.metadata?.name ?? '').startsWith(NAME_PREFIX) &&
    np.metadata?.annotations?.[POLICY_ANNOTATION] !== undefined
  );
}

/** See the module comment. */
export class NetworkPolicyReconciler {
  private readonly api: NetworkingV1Api;
  private readonly options: ReconcilerOptions;
  private readonly log: Logger;

  /** Creates the reconciler. */
  constructor(options: ReconcilerOptions) {
    this.options = options;
    this.api = options.kubeConfig.makeApiClient(NetworkingV1Api);
    this.log = options.logger.child({ component: 'segmentation' });
  }

  /**
   * Makes the managed NetworkPolicies equal `desired` (segmentationNetworkPolicies of the valid policies). `keep`:
   * keys (`<namespace>/<name>`) of policies that exist but are invalid now; their NetworkPolicies are left alone.
   */
  async reconcile(
    desired: readonly NetworkPolicyObject[],
    keep: ReadonlySet<string> = new Set(),
  ): Promise<ReconcileResult> {
    const result: ReconcileResult = { created: [], updated: [], deleted: [], failed: [] };
    if (!this.options.isLeader()) return result;
    const list = await this.api.listNetworkPolicyForAllNamespaces({
      labelSelector: `${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE}`,
    });
    const existing = new Map(list.items.filter(isSegmentation).map((np) => [keyOf(np), np]));
    for (const np of desired) await this.apply(np, existing.get(keyOf(np)), result);
    const wanted = new Set(desired.map(keyOf));
    for (const [key, np] of [...existing].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const owner = np.metadata?.annotations?.[POLICY_ANNOTATION] ?? '';
      if (wanted.has(key) || keep.has(owner)) continue;
      await this.write(key, result.deleted, result, () =>
        this.api.deleteNamespacedNetworkPolicy({
          name: np.metadata?.name ?? '',
          namespace: np.metadata?.namespace ?? '',
        }),
      );
    }
    return result;
  }

  private async apply(
    np: NetworkPolicyObject,
    current: V1NetworkPolicy | undefined,
    result: ReconcileResult,
  ): Promise<void> {
    const key = keyOf(np);
    const { name, namespace } = np.metadata;
    if (current === undefined) {
      const body = toClientModel(np);
      await this.write(key, result.created, result, () =>
        this.api.createNamespacedNetworkPolicy({ namespace, body }),
      );
      return;
    }
    if (managedParts(current.metadata, plainSpec(current)) === managedParts(np.metadata, np.spec)) return;
    const merged: NetworkPolicyObject = {
      ...np,
      metadata: {
        ...np.metadata,
        labels: { ...current.metadata?.labels, ...np.metadata.labels },
        annotations: { ...current.metadata?.annotations, ...np.metadata.annotations },
      },
    };
    const body = toClientModel(merged, current.metadata?.resourceVersion);
    await this.write(key, result.updated, result, () =>
      this.api.replaceNamespacedNetworkPolicy({ name, namespace, body }),
    );
  }

  /** One write, only while leading; failures are logged and listed. */
  private async write(
    key: string,
    done: string[],
    result: ReconcileResult,
    call: () => Promise<unknown>,
  ): Promise<void> {
    if (!this.options.isLeader()) return;
    try {
      await call();
      done.push(key);
    } catch (error) {
      const code = error instanceof ApiException ? error.code : undefined;
      if (code === 404 && done === result.deleted) return;
      this.log.warn({ networkPolicy: key, code, err: error }, 'could not write a segmentation NetworkPolicy');
      result.failed.push(key);
    }
  }
}
