/**
 * The cluster's objects as a {@link ResourceSnapshot}, built with the file provider's builders so both providers read
 * objects identically: each object is handed to `buildSnapshot` as a manifest (without a source location), pods as
 * one representative per workload (see workloads.ts). Only Secrets and ConfigMaps that some policy in their
 * namespace may reference are kept (any string in the policies' specs naming them), so unrelated Secrets never enter
 * the snapshot. EndpointSlices are converted here (the file provider has none).
 */
import type { Manifest } from '../file/manifests.js';
import {
  asList,
  asPort,
  asRecord,
  asString,
  byNamespaceName,
  compareStrings,
  stringMap,
} from '../file/fields.js';
import { buildSnapshot } from '../file/snapshot.js';
import type { Endpoint, EndpointPort, EndpointSlice, ResourceSnapshot, Workload } from '../snapshot.js';
import type { KindName } from './kinds.js';
import type { RawObject } from './transport.js';
import { groupPods } from './workloads.js';

/** The objects of every watched type. */
export type ClusterObjects = Readonly<Record<KindName, Iterable<RawObject>>>;

/** The label naming an EndpointSlice's Service. */
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

const CLUSTER_SOURCE = { file: 'cluster', line: 0 };

function manifest(object: RawObject): Manifest {
  return { object, source: CLUSTER_SOURCE, lineOf: () => 0 };
}

function collectStrings(value: unknown, into: Set<string>): void {
  if (typeof value === 'string') into.add(value);
  else if (Array.isArray(value)) for (const item of value) collectStrings(item, into);
  else if (typeof value === 'object' && value !== null)
    for (const item of Object.values(value)) collectStrings(item, into);
}

/** `<namespace>/<string>` for every string in every policy's spec: the names a policy may reference. */
export function referencedNames(policies: Iterable<RawObject>): Set<string> {
  const out = new Set<string>();
  for (const policy of policies) {
    const namespace = asString(asRecord(policy['metadata'])?.['namespace']) ?? '';
    const strings = new Set<string>();
    collectStrings(policy['spec'], strings);
    for (const s of strings) out.add(`${namespace}/${s}`);
  }
  return out;
}

/** Whether a Secret or ConfigMap is (possibly) referenced. */
export function isReferenced(object: RawObject, referenced: ReadonlySet<string>): boolean {
  const meta = asRecord(object['metadata']);
  return referenced.has(`${asString(meta?.['namespace']) ?? ''}/${asString(meta?.['name']) ?? ''}`);
}

function workloadManifests(pods: Iterable<RawObject>): {
  manifests: Manifest[];
  extra: Map<string, Pick<Workload, 'kind' | 'pods'>>;
} {
  const extra = new Map<string, Pick<Workload, 'kind' | 'pods'>>();
  const manifests = groupPods(pods).map((group) => {
    const meta = {
      ...(asRecord(group.representative['metadata']) ?? {}),
      name: group.workload.name,
      namespace: group.namespace,
    };
    extra.set(`${group.namespace}/${group.workload.name}`, { kind: group.workload.kind, pods: group.pods });
    return manifest({ ...group.representative, apiVersion: 'v1', kind: 'Pod', metadata: meta });
  });
  return { manifests, extra };
}

function endpointPort(entry: unknown): EndpointPort | undefined {
  const record = asRecord(entry);
  const port = asPort(record?.['port']);
  if (port === undefined) return undefined;
  const name = asString(record?.['name']);
  const protocol = asString(record?.['protocol']) ?? 'TCP';
  return name === undefined || name === '' ? { port, protocol } : { name, port, protocol };
}

function endpoint(entry: unknown): Endpoint {
  const record = asRecord(entry);
  const addresses = asList(record?.['addresses']).filter((a): a is string => typeof a === 'string');
  const ready = asRecord(record?.['conditions'])?.['ready'] !== false;
  const target = asRecord(record?.['targetRef']);
  const pod = target?.['kind'] === 'Pod' ? asString(target['name']) : undefined;
  return pod === undefined ? { addresses, ready } : { addresses, ready, pod };
}

/** One EndpointSlice as the snapshot holds it. */
export function toEndpointSlice(object: RawObject): EndpointSlice {
  const meta = asRecord(object['metadata']);
  const ports = asList(object['ports'])
    .map(endpointPort)
    .filter((p) => p !== undefined)
    .sort((a, b) => compareStrings(a.name ?? '', b.name ?? '') || a.port - b.port);
  return {
    namespace: asString(meta?.['namespace']) ?? '',
    name: asString(meta?.['name']) ?? '',
    service: stringMap(meta?.['labels'])[SERVICE_NAME_LABEL] ?? '',
    addressType: asString(object['addressType']) ?? 'IPv4',
    ports,
    endpoints: asList(object['endpoints']).map(endpoint),
  };
}

function withoutSource<T extends { source?: unknown }>(list: T[]): T[] {
  return list.map((item) => {
    const rest = { ...item };
    delete rest.source;
    return rest;
  });
}

/** Builds the snapshot of the cluster's current objects; see the module comment. Pure. */
export function clusterSnapshot(objects: ClusterObjects): ResourceSnapshot {
  const referenced = referencedNames(objects.policies);
  const { manifests: workloads, extra } = workloadManifests(objects.pods);
  const manifests = [
    ...[...objects.policies].map(manifest),
    ...workloads,
    ...[...objects.services].map(manifest),
    ...[...objects.namespaces].map(manifest),
    ...[...objects.secrets].filter((o) => isReferenced(o, referenced)).map(manifest),
    ...[...objects.configMaps].filter((o) => isReferenced(o, referenced)).map(manifest),
  ];
  const { snapshot } = buildSnapshot(manifests, { defaultNamespace: 'default' });
  const endpointSlices = [...objects.endpointSlices].map(toEndpointSlice).sort(byNamespaceName);
  return {
    policies: withoutSource(snapshot.policies),
    workloads: withoutSource(snapshot.workloads).map((w) => ({
      ...w,
      ...extra.get(`${w.namespace}/${w.name}`),
    })),
    services: withoutSource(snapshot.services),
    namespaces: withoutSource(snapshot.namespaces),
    secrets: withoutSource(snapshot.secrets),
    configMaps: withoutSource(snapshot.configMaps),
    endpointSlices,
  };
}
