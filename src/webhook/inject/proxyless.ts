/**
 * The default proxyless hook: what a pod annotated `aspen.dev/proxyless: "true"` gets instead of Envoy. It merges
 * {@link proxylessInjection} (src/proxyless/injection.ts) into the pod: its volumes and init containers are appended,
 * its env and read-only mounts are added to every application container. The trust bundle reaches the agent the way
 * it reaches Envoy (ADR 0018): the pod annotation `aspen.dev/trust-bundle` through a downward-API volume, so the
 * controller's re-annotation refreshes it and no ConfigMap is needed. Entries are keyed by name (mounts by mount
 * path), so applying the hook to its own output changes nothing.
 */
import { basename } from 'node:path/posix';
import type { V1Container, V1EnvVar, V1Volume, V1VolumeMount } from '@kubernetes/client-node';
import { proxylessInjection, type KubeObject } from '../../proxyless/injection.js';
import { DEFAULT_TRUST_BUNDLE_PATH } from '../../xds/sds/bootstrap.js';
import { TRUST_BUNDLE } from './annotations.js';
import type { InjectionSettings } from './settings.js';
import type { Pod } from './types.js';
import { workloadName } from './workload.js';

/** The agent container that keeps renewing the files (a native sidecar, or a regular container on old clusters). */
const AGENT_CONTAINER = 'aspen-grpc-agent';

/** The proxyless module's Kubernetes JSON as the client-node model shape it is built to (same wire JSON). */
function asModel<T>(items: readonly KubeObject[]): T[] {
  return items as unknown as T[];
}

/** Replaces the entries `added` has a key for and appends the rest: idempotent, order kept for existing entries. */
function mergeBy<T>(existing: readonly T[] | undefined, added: readonly T[], key: (item: T) => string): T[] {
  const keys = new Set(added.map(key));
  return [...(existing ?? []).filter((item) => !keys.has(key(item))), ...added];
}

function withPodFields(container: V1Container, env: V1EnvVar[], mounts: V1VolumeMount[]): V1Container {
  return {
    ...container,
    env: mergeBy(container.env, env, (e) => e.name),
    volumeMounts: mergeBy(container.volumeMounts, mounts, (m) => m.mountPath),
  };
}

/** The downward-API source of the agent's trust bundle volume (the file name the agent reads). */
export function trustBundleSource(): KubeObject {
  const file = basename(DEFAULT_TRUST_BUNDLE_PATH);
  return {
    downwardAPI: {
      items: [{ path: file, fieldRef: { fieldPath: `metadata.annotations['${TRUST_BUNDLE}']` } }],
    },
  };
}

/** Without native sidecars the renewing agent cannot be an init container (it never exits): it runs beside the app. */
function placeAgent(
  inits: V1Container[],
  nativeSidecars: boolean,
): { inits: V1Container[]; regular: V1Container[] } {
  if (nativeSidecars) return { inits, regular: [] };
  const agent = inits
    .filter((c) => c.name === AGENT_CONTAINER)
    .map(({ restartPolicy: _policy, ...rest }) => rest);
  return { inits: inits.filter((c) => c.name !== AGENT_CONTAINER), regular: agent };
}

/** The proxyless mutation of `pod` (see the module comment). Pure. */
export function injectProxyless(
  pod: Pod,
  context: { readonly namespace: string; readonly settings: InjectionSettings },
): Pod {
  const { namespace, settings } = context;
  const spec = pod.spec ?? { containers: [] };
  const added = proxylessInjection({
    namespace,
    workload: workloadName(pod),
    serviceAccount: spec.serviceAccountName || 'default',
    image: settings.images.aspen,
    xdsAddress: settings.xdsAddress,
    trustBundleSource: trustBundleSource(),
  });
  const { inits, regular } = placeAgent(asModel<V1Container>(added.initContainers), settings.nativeSidecars);
  const env = asModel<V1EnvVar>(added.env);
  const mounts = asModel<V1VolumeMount>(added.volumeMounts);
  const apps = spec.containers
    .filter((c) => c.name !== AGENT_CONTAINER)
    .map((c) => withPodFields(c, env, mounts));
  const metadata = pod.metadata ?? {};
  return {
    ...pod,
    metadata: {
      ...metadata,
      annotations: { ...metadata.annotations, [TRUST_BUNDLE]: settings.trustBundlePem },
    },
    spec: {
      ...spec,
      volumes: mergeBy(spec.volumes, asModel<V1Volume>(added.volumes), (v) => v.name),
      initContainers: mergeBy(spec.initContainers, inits, (c) => c.name),
      containers: mergeBy(apps, regular, (c) => c.name),
    },
  };
}
