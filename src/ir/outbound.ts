/** IR of a workload's outbound side: the meshed services it may call, and how to reach them. */
import type { MtlsModeIR } from './proxy.js';

/** A Service whose pods are meshed workloads of the snapshot. */
export interface OutboundServiceIR {
  /** `<namespace>/<name>` of the Service. */
  key: string;
  /** DNS name: `<name>.<namespace>.svc.<cluster-domain>`. */
  host: string;
  /** Service ports (TCP), sorted by port. */
  ports: OutboundPortIR[];
}

/** One port of an outbound service. */
export interface OutboundPortIR {
  /** Service port. */
  port: number;
  /** Service port name, when named. */
  name?: string;
  /** The workloads behind the port, sorted by workload key. */
  destinations: OutboundDestinationIR[];
  /**
   * Whether connections use mTLS: true unless every destination port has mTLS DISABLE (so STRICT peers can always be
   * reached, and PERMISSIVE ones get mTLS).
   */
  tls: boolean;
  /** SPIFFE IDs accepted from the server certificate (SAN check), sorted and unique. */
  identities: string[];
}

/** One workload behind a service port. */
export interface OutboundDestinationIR {
  /** Workload key `<namespace>/<name>`. */
  workload: string;
  /** Container port the service port targets on that workload. */
  targetPort: number;
  /** The workload's SPIFFE ID. */
  identity: string;
  /** The mTLS mode that workload enforces on that port. */
  mtls: MtlsModeIR;
  /** The workload's pod IPs, when known (proxyless gRPC clients get them over EDS), sorted. */
  addresses?: string[];
}
