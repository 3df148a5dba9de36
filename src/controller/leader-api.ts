/**
 * The leader elector's view of the API server: one coordination.k8s.io/v1 Lease, read, created and replaced with its
 * resourceVersion as precondition. An interface so election logic is testable without a server;
 * {@link kubeLeaseApi} implements it over @kubernetes/client-node.
 */
import { ApiException, CoordinationV1Api, V1MicroTime } from '@kubernetes/client-node';
import type { KubeConfig, V1Lease } from '@kubernetes/client-node';
import { ConflictError } from '../status/status-api.js';

/** The fields of a Lease the elector uses. */
export interface LeaseRecord {
  /** Who holds it; empty when released. */
  holderIdentity: string;
  /** How long a holder's claim lasts after its last renewal, seconds. */
  leaseDurationSeconds: number;
  /** When the current holder acquired it. */
  acquireTime: Date | undefined;
  /** When the holder last renewed it. */
  renewTime: Date | undefined;
  /** How many times it changed hands. */
  leaseTransitions: number;
}

/** A Lease as stored: the record and its opaque resourceVersion. */
export interface StoredLease {
  /** metadata.resourceVersion. */
  resourceVersion: string;
  /** The spec. */
  record: LeaseRecord;
}

/** Reads and writes the election Lease. */
export interface LeaseApi {
  /** The Lease, or undefined when it does not exist. */
  get(): Promise<StoredLease | undefined>;
  /** Creates it; throws {@link ConflictError} when it already exists. */
  create(record: LeaseRecord): Promise<StoredLease>;
  /** Replaces it; throws {@link ConflictError} when `resourceVersion` is no longer current. */
  replace(resourceVersion: string, record: LeaseRecord): Promise<StoredLease>;
}

function toDate(value: unknown): Date | undefined {
  if (value instanceof Date) return value;
  if (typeof value !== 'string') return undefined;
  const parsed = new Date(value);
  return Number.isNaN(parsed.getTime()) ? undefined : parsed;
}

/** Reads a Lease leniently. */
function fromLease(lease: V1Lease): StoredLease {
  const spec = lease.spec ?? {};
  return {
    resourceVersion: lease.metadata?.resourceVersion ?? '',
    record: {
      holderIdentity: spec.holderIdentity ?? '',
      leaseDurationSeconds: spec.leaseDurationSeconds ?? 0,
      acquireTime: toDate(spec.acquireTime),
      renewTime: toDate(spec.renewTime),
      leaseTransitions: spec.leaseTransitions ?? 0,
    },
  };
}

function micro(date: Date | undefined): V1MicroTime | undefined {
  return date === undefined ? undefined : new V1MicroTime(date.getTime());
}

function toLease(name: string, namespace: string, record: LeaseRecord, resourceVersion?: string): V1Lease {
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name, namespace, ...(resourceVersion === undefined ? {} : { resourceVersion }) },
    spec: {
      holderIdentity: record.holderIdentity,
      leaseDurationSeconds: record.leaseDurationSeconds,
      acquireTime: micro(record.acquireTime),
      renewTime: micro(record.renewTime),
      leaseTransitions: record.leaseTransitions,
    },
  };
}

function code(error: unknown): number | undefined {
  return error instanceof ApiException ? error.code : undefined;
}

/** {@link LeaseApi} for Lease `name` in `namespace`, over client-node's CoordinationV1Api. */
export function kubeLeaseApi(kubeConfig: KubeConfig, namespace: string, name: string): LeaseApi {
  const api = kubeConfig.makeApiClient(CoordinationV1Api);
  const conflict = (error: unknown): never => {
    if (code(error) === 409) throw new ConflictError(`Lease ${namespace}/${name} changed`);
    throw error;
  };
  return {
    async get() {
      try {
        return fromLease(await api.readNamespacedLease({ name, namespace }));
      } catch (error) {
        if (code(error) === 404) return undefined;
        throw error;
      }
    },
    async create(record) {
      const body = toLease(name, namespace, record);
      return fromLease(await api.createNamespacedLease({ namespace, body }).catch(conflict));
    },
    async replace(resourceVersion, record) {
      const body = toLease(name, namespace, record, resourceVersion);
      return fromLease(await api.replaceNamespacedLease({ name, namespace, body }).catch(conflict));
    },
  };
}
