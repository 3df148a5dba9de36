/**
 * The ResourceSnapshot: everything the translator needs, read from the world by a provider (files or a cluster).
 * Plain data, sorted by namespace/name, YAML-serialisable. Providers emit it; `translate/` consumes it.
 */

/** Where an object was read from (file mode); absent for objects read from a cluster. */
export interface SourceLocation {
  /** File path as given by the user (or `-` for standard input). */
  file: string;
  /** 1-based line of the object's first line. */
  line: number;
}

/** Identity and origin of any object in the snapshot. */
export interface ObjectRef {
  /** Namespace of the object. */
  namespace: string;
  /** Name of the object. */
  name: string;
  /** Where the object came from, when read from a file. */
  source?: SourceLocation;
}

/**
 * An ApiSecurityPolicy exactly as read: not yet validated or defaulted. The translator validates it and reports
 * problems in the policy's status.
 */
export interface RawPolicy extends ObjectRef {
  /** `apiVersion` as written. */
  apiVersion: string;
  /** `kind` as written. */
  kind: string;
  /** metadata.generation (0 in file mode). */
  generation: number;
  /** The whole object as read (apiVersion, kind, metadata, spec, anything else). */
  object: Record<string, unknown>;
}

/** A container port a workload listens on. */
export interface WorkloadPort {
  /** Port number. */
  port: number;
  /** Port name, when the manifest names it. */
  name?: string;
  /** TCP, UDP or SCTP (default TCP). */
  protocol: string;
}

/** Kinds of object a workload can come from. */
export type WorkloadKind = 'Pod' | 'Deployment' | 'StatefulSet' | 'DaemonSet' | 'ReplicaSet';

/**
 * A workload: a set of identical pods (a Deployment's template, or one bare Pod). One proxy configuration is
 * computed per workload; its key is `<namespace>/<name>`, the Envoy `node.cluster`.
 */
export interface Workload extends ObjectRef {
  /** The object the pods come from. */
  kind: WorkloadKind;
  /** Pod labels (of the pod template for controllers). Policies select on these. */
  labels: Record<string, string>;
  /** Pod annotations (of the pod template for controllers). */
  annotations: Record<string, string>;
  /** Service account the pods run as (`default` when unset); the SPIFFE identity derives from it. */
  serviceAccount: string;
  /** Container ports of every container, sorted by port. */
  ports: WorkloadPort[];
  /** Cluster mode: the running pods of the workload (their Envoy `node.id` is `<namespace>/<pod>`), sorted. */
  pods?: string[];
  /**
   * Pod IP addresses, sorted, when known: a cluster provider reads them from the pods; the file provider from the
   * annotation `aspen.dev/addresses` (comma-separated IPs). Proxyless gRPC clients receive them over EDS.
   */
  addresses?: string[];
}

/** A Service port. */
export interface ServicePort {
  /** Port name. */
  name?: string;
  /** Service port. */
  port: number;
  /** Target port: a number or a container port name. */
  targetPort: number | string;
  /** Protocol (default TCP). */
  protocol: string;
}

/** A Service. */
export interface Service extends ObjectRef {
  /** Pod selector; absent for services without selector. */
  selector?: Record<string, string>;
  /** Ports. */
  ports: ServicePort[];
}

/** A Namespace and its labels (segmentation selects on them). */
export interface Namespace extends ObjectRef {
  /** Namespace labels. */
  labels: Record<string, string>;
}

/** A Secret or ConfigMap: only the key names are kept in the snapshot's public surface; values stay in `data`. */
export interface DataObject extends ObjectRef {
  /** Key → value (Secrets: decoded from base64 `data` or taken from `stringData`). Never printed or logged. */
  data: Record<string, string>;
}

/** A port of an EndpointSlice. */
export interface EndpointPort {
  /** Port name (matches the Service port name). */
  name?: string;
  /** Port number. */
  port: number;
  /** Protocol (default TCP). */
  protocol: string;
}

/** One endpoint of an EndpointSlice. */
export interface Endpoint {
  /** Addresses (one for IPv4/IPv6 slices). */
  addresses: string[];
  /** `conditions.ready` (absent counts as ready, as kube-proxy reads it). */
  ready: boolean;
  /** Name of the pod behind it (`targetRef` of kind Pod), when known. */
  pod?: string;
}

/** An EndpointSlice (discovery.k8s.io/v1): the addresses behind a Service. Cluster mode only. */
export interface EndpointSlice extends ObjectRef {
  /** The Service it belongs to (label `kubernetes.io/service-name`; '' when unlabelled). */
  service: string;
  /** IPv4, IPv6 or FQDN. */
  addressType: string;
  /** Ports, sorted by name then port. */
  ports: EndpointPort[];
  /** Endpoints, in the slice's order. */
  endpoints: Endpoint[];
}

/** Everything the translator reads. Every list is sorted by namespace, then name. */
export interface ResourceSnapshot {
  /** ApiSecurityPolicies, as read. */
  policies: RawPolicy[];
  /** Workloads. */
  workloads: Workload[];
  /** Services. */
  services: Service[];
  /** Namespaces (in file mode: those declared in files plus those objects live in). */
  namespaces: Namespace[];
  /** Secrets that policies may reference. */
  secrets: DataObject[];
  /** ConfigMaps that policies may reference. */
  configMaps: DataObject[];
  /** EndpointSlices (cluster mode; empty in file mode). */
  endpointSlices: EndpointSlice[];
}

/** An empty snapshot. */
export function emptySnapshot(): ResourceSnapshot {
  return {
    policies: [],
    workloads: [],
    services: [],
    namespaces: [],
    secrets: [],
    configMaps: [],
    endpointSlices: [],
  };
}
