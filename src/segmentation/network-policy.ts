/**
 * The NetworkPolicy aspen owns for a policy with `spec.segmentation` (ADR 0016): the network layer of segmentation,
 * under the sidecar's L4 RBAC on peer identity, so either layer still holds when the other is bypassed. Pure.
 *
 * Shape, for an Enforce-mode policy (Audit mode never blocks, so it gets none):
 * - `podSelector` = the policy's selector, in the policy's namespace; `policyTypes: [Ingress]` only. Egress is never
 *   restricted, so the sidecar's own connections (aspen's xDS port 15010, DNS, the dataplane) need no rule.
 * - one ingress rule admitting the `allowFrom` peers to the protected ports (`spec.ports`, TCP; every port when
 *   `spec.ports` is omitted, as the sidecar then covers every container port); no rule at all when `allowFrom` is
 *   empty (an empty `from` would admit everyone).
 * - the selected pods become isolated for ingress: other ports admit only what other NetworkPolicies allow (fail
 *   closed; aspen never opens ports another NetworkPolicy closes). Kubelet probes (traffic from the pod's node) are
 *   always allowed by Kubernetes.
 * - owned by the policy (`ownerReferences`, controller=true), so deleting the policy garbage-collects it; labelled
 *   `aspen.dev/managed-by: aspen`; named `aspen-seg-<policy>` (hashed when longer than 63 characters). No
 *   `blockOwnerDeletion`: setting it needs update rights on the policy's finalizers where the
 *   OwnerReferencesPermissionEnforcement admission plugin runs, and garbage collection works without it.
 */
import { createHash } from 'node:crypto';
import type { V1LabelSelector, V1OwnerReference } from '@kubernetes/client-node';
import { API_GROUP_VERSION, POLICY_KIND } from '../api/group.js';
import type { ApiSecurityPolicy, LabelSelector, Segmentation } from '../api/v1alpha1/types.js';

/** Label on every object aspen manages. */
export const MANAGED_BY_LABEL = 'aspen.dev/managed-by';
/** Its value. */
export const MANAGED_BY_VALUE = 'aspen';
/** Annotation naming the owning policy (`<namespace>/<name>`), for humans and for the reconciler. */
export const POLICY_ANNOTATION = 'aspen.dev/policy';
/** Name prefix of segmentation NetworkPolicies. */
export const NAME_PREFIX = 'aspen-seg-';

const MAX_NAME = 63;

/** A NetworkPolicy peer, as Kubernetes JSON. */
export interface NetworkPolicyPeer {
  /** Namespaces of the peers. */
  namespaceSelector?: V1LabelSelector;
  /** Pods of the peers. */
  podSelector?: V1LabelSelector;
}

/** One ingress rule, as Kubernetes JSON (`from`, not client-node's `_from`). */
export interface NetworkPolicyIngressRule {
  /** Admitted sources; absent or empty would admit every source (never generated). */
  from?: NetworkPolicyPeer[];
  /** Admitted ports; absent means every port. */
  ports?: { protocol: string; port: number }[];
}

/** A networking.k8s.io/v1 NetworkPolicy as Kubernetes JSON (the golden format; see reconciler.ts for the client). */
export interface NetworkPolicyObject {
  /** `networking.k8s.io/v1`. */
  apiVersion: string;
  /** `NetworkPolicy`. */
  kind: string;
  /** Name, namespace, labels, annotations, owner. */
  metadata: {
    name: string;
    namespace: string;
    labels: Record<string, string>;
    annotations: Record<string, string>;
    ownerReferences?: V1OwnerReference[];
  };
  /** Selected pods, policy types, ingress rules. */
  spec: { podSelector: V1LabelSelector; policyTypes: string[]; ingress: NetworkPolicyIngressRule[] };
}

/** `aspen-seg-<policy name>`, or a truncated name with a hash of the policy name when that exceeds 63 characters. */
export function networkPolicyName(policyName: string): string {
  const name = `${NAME_PREFIX}${policyName}`;
  if (name.length <= MAX_NAME) return name;
  const hash = createHash('sha256').update(policyName).digest('hex').slice(0, 10);
  const head = name.slice(0, MAX_NAME - hash.length - 1).replace(/[-.]+$/, '');
  return `${head}-${hash}`;
}

/** A copy of a label selector with sorted keys (deterministic output; `{}` stays `{}`). */
function selector(s: LabelSelector): V1LabelSelector {
  const out: V1LabelSelector = {};
  if (s.matchLabels !== undefined) {
    out.matchLabels = Object.fromEntries(Object.entries(s.matchLabels).sort(([a], [b]) => (a < b ? -1 : 1)));
  }
  if (s.matchExpressions !== undefined) {
    out.matchExpressions = s.matchExpressions.map((e) => ({
      key: e.key,
      operator: e.operator,
      ...(e.values === undefined ? {} : { values: [...e.values].sort() }),
    }));
  }
  return out;
}

/** One `allowFrom` entry as a NetworkPolicy peer, with aspen's defaults made explicit. */
function peer(entry: Segmentation['allowFrom'][number]): NetworkPolicyPeer {
  const pods = entry.podSelector === undefined ? undefined : selector(entry.podSelector);
  if (entry.namespaceSelector === undefined) return { podSelector: pods ?? {} };
  const namespaces = selector(entry.namespaceSelector);
  return pods === undefined
    ? { namespaceSelector: namespaces }
    : { namespaceSelector: namespaces, podSelector: pods };
}

/** Whether a policy gets a NetworkPolicy: valid, Enforce mode, with segmentation. */
export function wantsNetworkPolicy(policy: ApiSecurityPolicy): boolean {
  return policy.spec.segmentation !== undefined && (policy.spec.mode ?? 'Enforce') === 'Enforce';
}

/**
 * The NetworkPolicy for `policy` (valid and defaulted), or undefined when it gets none (no segmentation, or Audit
 * mode). The owner reference needs the policy's uid; without one (file mode) it is left out.
 */
export function segmentationNetworkPolicy(policy: ApiSecurityPolicy): NetworkPolicyObject | undefined {
  const seg = policy.spec.segmentation;
  if (seg === undefined || !wantsNetworkPolicy(policy)) return undefined;
  const { name, namespace, uid } = policy.metadata;
  const ports = policy.spec.ports === undefined ? undefined : [...policy.spec.ports].sort((a, b) => a - b);
  const rule: NetworkPolicyIngressRule = {
    from: seg.allowFrom.map(peer),
    ...(ports === undefined ? {} : { ports: ports.map((port) => ({ protocol: 'TCP', port })) }),
  };
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: {
      name: networkPolicyName(name),
      namespace,
      labels: { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE },
      annotations: { [POLICY_ANNOTATION]: `${namespace}/${name}` },
      ...(uid === undefined
        ? {}
        : {
            ownerReferences: [
              { apiVersion: API_GROUP_VERSION, kind: POLICY_KIND, name, uid, controller: true },
            ],
          }),
    },
    spec: {
      podSelector: selector(policy.spec.selector),
      policyTypes: ['Ingress'],
      ingress: seg.allowFrom.length === 0 ? [] : [rule],
    },
  };
}

/** The NetworkPolicies of every policy that wants one, sorted by namespace, then name. */
export function segmentationNetworkPolicies(policies: readonly ApiSecurityPolicy[]): NetworkPolicyObject[] {
  const out = policies.flatMap((p) => {
    const np = segmentationNetworkPolicy(p);
    return np === undefined ? [] : [np];
  });
  const key = (np: NetworkPolicyObject): string => `${np.metadata.namespace}/${np.metadata.name}`;
  return out.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}
