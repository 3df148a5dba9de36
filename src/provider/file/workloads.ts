/**
 * Workloads read from manifests: bare Pods, and the pod templates of apps/v1 Deployments, StatefulSets, DaemonSets
 * and ReplicaSets. Malformed fields are skipped, never thrown on.
 */
import type { Workload, WorkloadKind, WorkloadPort } from '../snapshot.js';
import { asList, asPort, asRecord, asString, compareStrings, stringMap } from './fields.js';

/** Controllers whose pod template is a workload (all in apps/v1). */
const CONTROLLER_KINDS: ReadonlySet<string> = new Set<WorkloadKind>([
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'ReplicaSet',
]);

/** The pod fields of a workload: what its pods carry, without the object's identity. */
export type PodFields = Pick<Workload, 'kind' | 'labels' | 'annotations' | 'serviceAccount' | 'ports'>;

/** The pod metadata and spec of a workload object, or undefined when the object is not a workload. */
function podParts(object: Record<string, unknown>): { metadata: unknown; spec: unknown } | undefined {
  const { apiVersion, kind } = object;
  if (apiVersion === 'v1' && kind === 'Pod') return { metadata: object['metadata'], spec: object['spec'] };
  if (apiVersion !== 'apps/v1' || typeof kind !== 'string' || !CONTROLLER_KINDS.has(kind)) return undefined;
  const template = asRecord(asRecord(object['spec'])?.['template']);
  return { metadata: template?.['metadata'], spec: template?.['spec'] };
}

/** One container port entry, or undefined when it has no valid `containerPort`. */
function toPort(entry: unknown): WorkloadPort | undefined {
  const record = asRecord(entry);
  const port = asPort(record?.['containerPort']);
  if (port === undefined) return undefined;
  const name = asString(record?.['name']);
  const protocol = asString(record?.['protocol']) ?? 'TCP';
  return name === undefined ? { port, protocol } : { port, name, protocol };
}

/**
 * The containers that serve traffic for the pod's whole life: `containers`, plus init containers with
 * `restartPolicy: Always` (native sidecars).
 */
function servingContainers(spec: Record<string, unknown> | undefined): unknown[] {
  const sidecars = asList(spec?.['initContainers']).filter(
    (c) => asRecord(c)?.['restartPolicy'] === 'Always',
  );
  return [...asList(spec?.['containers']), ...sidecars];
}

/** The container ports of a pod spec, sorted by port then protocol; a port and protocol listed twice count once. */
export function containerPorts(spec: Record<string, unknown> | undefined): WorkloadPort[] {
  const ports = new Map<string, WorkloadPort>();
  for (const container of servingContainers(spec)) {
    for (const entry of asList(asRecord(container)?.['ports'])) {
      const port = toPort(entry);
      if (port === undefined) continue;
      const key = `${port.port}/${port.protocol}`;
      if (!ports.has(key)) ports.set(key, port);
    }
  }
  return [...ports.values()].sort((a, b) => a.port - b.port || compareStrings(a.protocol, b.protocol));
}

/**
 * The pod fields of `object` when it is a workload (a v1 Pod or an apps/v1 controller), else undefined. The service
 * account is `serviceAccountName`, else the deprecated `serviceAccount`, else `default`.
 */
export function podFields(object: Record<string, unknown>): PodFields | undefined {
  const parts = podParts(object);
  if (parts === undefined) return undefined;
  const metadata = asRecord(parts.metadata);
  const spec = asRecord(parts.spec);
  return {
    kind: object['kind'] as WorkloadKind,
    labels: stringMap(metadata?.['labels']),
    annotations: stringMap(metadata?.['annotations']),
    serviceAccount: asString(spec?.['serviceAccountName']) ?? asString(spec?.['serviceAccount']) ?? 'default',
    ports: containerPorts(spec),
  };
}
