/**
 * Builds the ResourceSnapshot from manifests read from files: the file provider's half of the provider contract.
 * Pure. Objects this version does not use are ignored; malformed fields are skipped, never thrown on.
 */
import { API_GROUP } from '../../api/group.js';
import { formatPath } from '../../translate/problem.js';
import type {
  DataObject,
  Namespace,
  RawPolicy,
  ResourceSnapshot,
  Service,
  ServicePort,
  SourceLocation,
  Workload,
} from '../snapshot.js';
import { configMapData, secretData, type DataResult } from './data-objects.js';
import {
  apiGroup,
  asList,
  asPort,
  asRecord,
  asString,
  byNamespaceName,
  compareStrings,
  stringMap,
} from './fields.js';
import type { LoadError, Manifest } from './manifests.js';
import { podFields } from './workloads.js';
import type { PodFields } from './workloads.js';
import { ADDRESSES_ANNOTATION, parseAddresses } from '../../proxyless/annotations.js';
import { EGRESS_ANNOTATION, egressProblems } from '../egress.js';

/** Options for {@link buildSnapshot}. */
export interface SnapshotOptions {
  /** Namespace of objects whose manifest names none (as `kubectl apply -n`). */
  defaultNamespace: string;
}

/** The snapshot and the problems found while building it. */
export interface SnapshotResult {
  /** Every list sorted by namespace, then name. */
  snapshot: ResourceSnapshot;
  /**
   * Objects defined twice (the last one is kept), objects without a name, and Secret or ConfigMap entries that
   * were skipped. Rendered as `<file>:<line>: <message>`.
   */
  problems: LoadError[];
}

/** The label the API server sets on every Namespace. */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/** A snapshot object with the list it goes to. */
type Entry =
  | { list: 'policies'; value: RawPolicy }
  | { list: 'workloads'; value: Workload }
  | { list: 'services'; value: Service }
  | { list: 'namespaces'; value: Namespace }
  | { list: 'secrets' | 'configMaps'; value: DataObject };

/** One manifest on its way into the snapshot. */
interface ObjectContext {
  /** The manifest. */
  manifest: Manifest;
  /** Its object. */
  object: Record<string, unknown>;
  /** Its kind. */
  kind: string;
  /** metadata.name ('' when absent). */
  name: string;
  /** metadata.namespace, or the default namespace. */
  namespace: string;
  /** Problems found in this manifest. */
  problems: LoadError[];
}

/** A kept entry and where it was defined, to report later duplicates. */
interface Kept {
  /** The entry. */
  entry: Entry;
  /** The kind, for messages. */
  kind: string;
}

/** Adds a problem located at a field of the manifest. */
function report(ctx: ObjectContext, path: Parameters<Manifest['lineOf']>[0], message: string): void {
  const { file } = ctx.manifest.source;
  ctx.problems.push({ file, line: ctx.manifest.lineOf(path), message });
}

/** Identity and source shared by every entry. */
function refOf(ctx: ObjectContext): { namespace: string; name: string; source: SourceLocation } {
  return { namespace: ctx.namespace, name: ctx.name, source: ctx.manifest.source };
}

/** An aspen.dev object, as read; the translator validates version and kind. */
function toPolicy(ctx: ObjectContext): Entry {
  const metadata = asRecord(ctx.object['metadata']);
  const generation = metadata?.['generation'];
  const value: RawPolicy = {
    ...refOf(ctx),
    apiVersion: ctx.object['apiVersion'] as string,
    kind: ctx.kind,
    generation: typeof generation === 'number' && Number.isInteger(generation) ? generation : 0,
    object: ctx.object,
  };
  return { list: 'policies', value };
}

/** One Service port, or undefined without a valid `port`. `targetPort` defaults to the port, protocol to TCP. */
function toServicePort(entry: unknown): ServicePort | undefined {
  const record = asRecord(entry);
  const port = asPort(record?.['port']);
  if (port === undefined) return undefined;
  const target = record?.['targetPort'];
  const targetPort = asPort(target) ?? asString(target) ?? port;
  const protocol = asString(record?.['protocol']) ?? 'TCP';
  const name = asString(record?.['name']);
  return name === undefined ? { port, targetPort, protocol } : { name, port, targetPort, protocol };
}

/** A v1 Service. An empty selector counts as none (the API server manages no endpoints for it). */
function toService(ctx: ObjectContext): Entry {
  const spec = asRecord(ctx.object['spec']);
  const selector = stringMap(spec?.['selector']);
  const ports = asList(spec?.['ports'])
    .map(toServicePort)
    .filter((port) => port !== undefined);
  const value: Service = { ...refOf(ctx), ports };
  if (Object.keys(selector).length > 0) value.selector = selector;
  return { list: 'services', value };
}

/** A declared v1 Namespace (cluster-scoped: its `namespace` is ''), labelled with its name as the API server does. */
function toNamespace(ctx: ObjectContext): Entry {
  const metadata = asRecord(ctx.object['metadata']);
  const labels = { ...stringMap(metadata?.['labels']), [NAMESPACE_NAME_LABEL]: ctx.name };
  return {
    list: 'namespaces',
    value: { namespace: '', name: ctx.name, source: ctx.manifest.source, labels },
  };
}

/** Reports the skipped entries of a Secret or ConfigMap and returns its data. */
function dataOf(ctx: ObjectContext, result: DataResult): Record<string, string> {
  for (const problem of result.problems) {
    report(
      ctx,
      problem.path,
      `${ctx.kind} ${ctx.namespace}/${ctx.name}: ${formatPath(problem.path)}: ${problem.message}`,
    );
  }
  return result.data;
}

/** Reports a problem of one pod annotation at its field (in a controller's pod template, or in the bare Pod). */
function reportAnnotation(ctx: ObjectContext, annotation: string, problem: string): void {
  const at = ['metadata', 'annotations', annotation];
  report(
    ctx,
    ctx.kind === 'Pod' ? at : ['spec', 'template', ...at],
    `${ctx.kind} ${ctx.namespace}/${ctx.name}: ${problem}`,
  );
}

/** The pod IPs of the `aspen.dev/addresses` annotation (proxyless gRPC, file mode); entries that are not IPs are reported. */
function addressesOf(ctx: ObjectContext, pod: PodFields): { addresses?: string[] } {
  const { addresses, invalid } = parseAddresses(pod.annotations);
  for (const entry of invalid) {
    reportAnnotation(
      ctx,
      ADDRESSES_ANNOTATION,
      `annotation ${ADDRESSES_ANNOTATION}: "${entry}" is not an IP address`,
    );
  }
  return addresses.length > 0 ? { addresses } : {};
}

/** Reports the entries of an `aspen.dev/egress` annotation that cannot be read (the annotation is then ignored). */
function reportEgress(ctx: ObjectContext, pod: PodFields): void {
  for (const problem of egressProblems(pod.annotations)) reportAnnotation(ctx, EGRESS_ANNOTATION, problem);
}

/** Turns a manifest into a snapshot entry, or undefined when the snapshot does not hold its kind. */
function toEntry(ctx: ObjectContext): Entry | undefined {
  const apiVersion = ctx.object['apiVersion'] as string;
  if (apiGroup(apiVersion) === API_GROUP) return toPolicy(ctx);
  const pod = podFields(ctx.object);
  if (pod !== undefined) {
    reportEgress(ctx, pod);
    return { list: 'workloads', value: { ...refOf(ctx), ...pod, ...addressesOf(ctx, pod) } };
  }
  if (apiVersion !== 'v1') return undefined;
  switch (ctx.kind) {
    case 'Service':
      return toService(ctx);
    case 'Namespace':
      return toNamespace(ctx);
    case 'Secret':
      return { list: 'secrets', value: { ...refOf(ctx), data: dataOf(ctx, secretData(ctx.object)) } };
    case 'ConfigMap':
      return { list: 'configMaps', value: { ...refOf(ctx), data: dataOf(ctx, configMapData(ctx.object)) } };
    default:
      return undefined;
  }
}

/** The context of one manifest: its kind, name and namespace (the default one when the manifest names none). */
function contextOf(manifest: Manifest, options: SnapshotOptions): ObjectContext {
  const object = manifest.object;
  const metadata = asRecord(object['metadata']);
  const namespace = asString(metadata?.['namespace']) ?? options.defaultNamespace;
  const name = asString(metadata?.['name']) ?? '';
  return { manifest, object, kind: object['kind'] as string, name, namespace, problems: [] };
}

/**
 * The key under which an entry must be unique. Workloads share one key space whatever their kind: the key
 * `<namespace>/<name>` names the proxy configuration (Envoy `node.cluster`).
 */
function keyOf(entry: Entry, kind: string): string {
  const { namespace, name } = entry.value;
  const scope = entry.list === 'workloads' ? '' : kind;
  return JSON.stringify([entry.list, scope, namespace, name]);
}

/** `<namespace>/<name>`, or the name alone for a Namespace. */
function labelOf(entry: Entry): string {
  return entry.list === 'namespaces' ? entry.value.name : `${entry.value.namespace}/${entry.value.name}`;
}

/** Keeps `entry` in `kept`, replacing (and reporting) an earlier definition of the same object. */
function keep(kept: Map<string, Kept>, ctx: ObjectContext, entry: Entry): void {
  const key = keyOf(entry, ctx.kind);
  const earlier = kept.get(key);
  kept.set(key, { entry, kind: ctx.kind });
  const at = earlier?.entry.value.source;
  if (earlier === undefined || at === undefined) return;
  const where = `${at.file}:${at.line}`;
  const message =
    earlier.kind === ctx.kind
      ? `duplicate ${ctx.kind} ${labelOf(entry)} (also at ${where})`
      : `duplicate workload ${ctx.kind} ${labelOf(entry)} (also ${earlier.kind} at ${where})`;
  report(ctx, [], message);
}

/** Namespaces declared, plus one for every namespace a snapshot object lives in. */
function allNamespaces(snapshot: ResourceSnapshot): Namespace[] {
  const byName = new Map(snapshot.namespaces.map((ns) => [ns.name, ns]));
  const lists = [
    snapshot.policies,
    snapshot.workloads,
    snapshot.services,
    snapshot.secrets,
    snapshot.configMaps,
  ];
  for (const object of lists.flat()) {
    if (byName.has(object.namespace)) continue;
    byName.set(object.namespace, {
      namespace: '',
      name: object.namespace,
      labels: { [NAMESPACE_NAME_LABEL]: object.namespace },
    });
  }
  return [...byName.values()];
}

/** Orders policies by namespace and name, then kind and apiVersion (several aspen.dev kinds may share a name). */
function byPolicyIdentity(a: RawPolicy, b: RawPolicy): number {
  return (
    byNamespaceName(a, b) || compareStrings(a.kind, b.kind) || compareStrings(a.apiVersion, b.apiVersion)
  );
}

/** Puts every kept entry in its list and sorts the lists. */
function assemble(kept: Iterable<Kept>): ResourceSnapshot {
  const snapshot: ResourceSnapshot = {
    policies: [],
    workloads: [],
    services: [],
    namespaces: [],
    secrets: [],
    configMaps: [],
    endpointSlices: [],
  };
  for (const { entry } of kept) (snapshot[entry.list] as Entry['value'][]).push(entry.value);
  snapshot.namespaces = allNamespaces(snapshot);
  snapshot.policies.sort(byPolicyIdentity);
  const { workloads, services, namespaces, secrets, configMaps } = snapshot;
  for (const list of [workloads, services, namespaces, secrets, configMaps]) list.sort(byNamespaceName);
  return snapshot;
}

/**
 * Builds the snapshot from manifests, in the order read. ApiSecurityPolicies are every aspen.dev object (any
 * version and kind: the translator reports unknown ones); workloads are v1 Pods and the pod templates of apps/v1
 * Deployments, StatefulSets, DaemonSets and ReplicaSets; Services, Namespaces, Secrets and ConfigMaps are v1.
 * Objects without a namespace take `defaultNamespace`. An object defined twice keeps its last definition and is
 * reported; an object other than a policy without a name is reported and ignored (a policy is kept for the
 * translator to report on).
 */
export function buildSnapshot(manifests: readonly Manifest[], options: SnapshotOptions): SnapshotResult {
  const problems: LoadError[] = [];
  const kept = new Map<string, Kept>();
  manifests.forEach((manifest, index) => {
    const ctx = contextOf(manifest, options);
    const entry = toEntry(ctx);
    if (entry === undefined) return;
    if (ctx.name === '' && entry.list !== 'policies') {
      // Only the missing name is reported: problems in the data of an ignored object do not matter.
      problems.push({
        ...manifest.source,
        line: manifest.lineOf(['metadata']),
        message: `${ctx.kind} without metadata.name; ignored`,
      });
      return;
    }
    if (ctx.name === '') kept.set(`unnamed ${index}`, { entry, kind: ctx.kind });
    else keep(kept, ctx, entry);
    problems.push(...ctx.problems);
  });
  return { snapshot: assemble(kept.values()), problems };
}
