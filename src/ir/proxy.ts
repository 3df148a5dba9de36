/**
 * The intermediate representation: what one workload's proxy must enforce, with no Kubernetes and no Envoy types.
 * `translate/` produces it from a ResourceSnapshot; `xds/translate/` turns it into Envoy resources. It is also the
 * golden format of test/golden/translate. Durations are milliseconds; every list is sorted.
 */
import type { AuthorizationIR } from './authorization.js';
import type { ApiKeysIR, JwtIR } from './authentication.js';
import type { OutboundServiceIR } from './outbound.js';
import type { RateLimitIR, RequestValidationIR } from './traffic.js';

/** STRICT: mTLS only. PERMISSIVE: mTLS or plaintext. DISABLE: plaintext only. */
export type MtlsModeIR = 'STRICT' | 'PERMISSIVE' | 'DISABLE';

/** Everything one workload's proxy enforces. Keyed by `<namespace>/<workload>` (Envoy `node.cluster`). */
export interface ProxyIR {
  /** `<namespace>/<workload>`. */
  key: string;
  /** The workload. */
  workload: WorkloadIR;
  /** SPIFFE ID the workload's certificate carries: `spiffe://<trust-domain>/ns/<ns>/sa/<sa>`. */
  identity: string;
  /**
   * `<namespace>/<name>` of every valid policy whose selector matches this workload (whichever ports it covers),
   * sorted. Invalid policies are not listed; they appear in the `failClosed` of the ports they would cover.
   */
  policies: string[];
  /** One entry per inbound port, sorted by port. Ports no policy covers carry the mesh defaults. */
  ports: PortIR[];
  /**
   * Meshed services this workload may call, sorted by key: those its `aspen.dev/egress` annotation lists, or every
   * meshed service of the snapshot (src/translate/egress.ts). Proxies with the same scope share the same array, so
   * consumers must not modify it.
   */
  outbound: OutboundServiceIR[];
}

/** The workload a proxy belongs to. */
export interface WorkloadIR {
  /** Namespace. */
  namespace: string;
  /** Workload name (Deployment, StatefulSet, DaemonSet, ReplicaSet or bare Pod name). */
  name: string;
  /** Kind of the object the pods come from. */
  kind: string;
  /** Service account the pods run as. */
  serviceAccount: string;
  /**
   * True for a proxyless gRPC workload (pod annotation `aspen.dev/proxyless: "true"`): no Envoy; its gRPC library
   * consumes the proxyless resource shapes (src/xds/translate/proxyless). Absent for Envoy sidecars.
   */
  proxyless?: true;
  /** Pod IP addresses, when the provider knows them (file mode: annotation `aspen.dev/addresses`), sorted. */
  addresses?: string[];
}

/** What is enforced on one inbound port. */
export interface PortIR {
  /** Container port number. */
  port: number;
  /** Container port name, when named. */
  name?: string;
  /**
   * `<namespace>/<name>` of the valid policies (either mode) covering this port, sorted; empty means mesh defaults.
   */
  policies: string[];
  /**
   * Enforced settings: the Enforce-mode policies merged (see translate/merge); the mesh defaults when no policy
   * covers the port; allow-all with PERMISSIVE mTLS when only Audit-mode policies cover it (Audit never blocks).
   */
  enforce: PolicySetIR;
  /** Settings of Audit-mode policies, merged: every request they would deny is logged and counted, never blocked. */
  audit?: PolicySetIR;
  /** Access (audit) logging of requests on this port. */
  accessLog: AccessLogIR;
  /**
   * Enforce-mode policies that could not be translated (invalid, unresolved references). When non-empty, every
   * request on the port is denied (fail closed), whatever else is configured.
   */
  failClosed: FailClosedIR[];
}

/** A set of settings from policies of one mode, merged. */
export interface PolicySetIR {
  /** mTLS mode for connections into the port. */
  mtls: MtlsModeIR;
  /** JWT authentication, when any policy configures it. */
  jwt?: JwtIR;
  /** API-key authentication, when any policy configures it. */
  apiKeys?: ApiKeysIR;
  /** Authorization: default action and rules. */
  authorization: AuthorizationIR;
  /** Every rate limit of every policy; a request must pass each matching one (so the smallest wins). */
  rateLimits: RateLimitIR[];
  /** Request checks; absent fields are not checked. */
  requestValidation: RequestValidationIR;
  /** L4 segmentation; absent when no policy restricts who may connect. */
  segmentation?: SegmentationIR;
}

/** L4 segmentation: only these peer identities may open connections. */
export interface SegmentationIR {
  /**
   * Allowed peer SPIFFE IDs, sorted; the intersection over policies that configure segmentation. Empty admits
   * nobody.
   */
  allowedPrincipals: string[];
  /** Policies that configured it. */
  policies: string[];
}

/** Access logging. */
export interface AccessLogIR {
  /** Log every request with its decision. True if any covering policy asks for it (default true). */
  enabled: boolean;
  /**
   * Header names (lower case) whose values are replaced by `[REDACTED]`: always `authorization`, `cookie`,
   * `proxy-authorization`, each API-key header, each JWT header; plus every `redactHeaders` entry. Sorted.
   */
  redactHeaders: string[];
}

/** A policy that could not be translated, so the port denies every request. */
export interface FailClosedIR {
  /** `<namespace>/<name>` of the policy. */
  policy: string;
  /** The status reason (e.g. `Invalid`, `RefNotFound`). */
  reason: string;
}
