/** Policy status as computed by the translator (the status writer adds timestamps and proxy counts). */
import type { Problem } from './problem.js';

/** Condition types aspen sets on an ApiSecurityPolicy. */
export const ConditionType = {
  /** The policy is valid and was translated. */
  Accepted: 'Accepted',
  /** Every referenced Secret, ConfigMap and JWKS resolves. */
  ResolvedRefs: 'ResolvedRefs',
  /** Every selected proxy ACKed the configuration carrying this policy (set by the controller, not here). */
  Programmed: 'Programmed',
  /** Something in the policy is accepted but not (yet) enforced; True when such a warning applies. */
  Warnings: 'Warnings',
} as const;

/** Reasons, one constant per cause. */
export const Reason = {
  Accepted: 'Accepted',
  Invalid: 'Invalid',
  UnsupportedVersion: 'UnsupportedVersion',
  Conflicted: 'Conflicted',
  ResolvedRefs: 'ResolvedRefs',
  RefNotFound: 'RefNotFound',
  InvalidRef: 'InvalidRef',
  NotYetEnforced: 'NotYetEnforced',
  SegmentationUnion: 'SegmentationUnion',
  NoWarnings: 'NoWarnings',
  /** The policy needs a feature a selected workload's data plane (proxyless gRPC) cannot enforce; it fails closed. */
  UnsupportedByDataPlane: 'UnsupportedByDataPlane',
} as const;

/** A condition without timestamps (those belong to the status writer). */
export interface ConditionIR {
  /** One of ConditionType. */
  type: string;
  /** True, False or Unknown. */
  status: 'True' | 'False' | 'Unknown';
  /** One of Reason. */
  reason: string;
  /** For humans; names the field path for user errors. */
  message: string;
}

/** What the translator concludes about one policy. */
export interface PolicyStatus {
  /** Policy namespace. */
  namespace: string;
  /** Policy name. */
  name: string;
  /** metadata.generation the status was computed from. */
  observedGeneration: number;
  /** Number of workloads the policy selects. */
  workloads: number;
  /** Conditions, sorted by type. */
  conditions: ConditionIR[];
  /** Every problem with its field path (validation, references, conflicts). */
  problems: Problem[];
}
