/** A valid policy compiled into IR fragments, the unit that merging combines. */
import type { PolicyMode } from '../api/v1alpha1/types.js';
import type { PolicySetIR } from '../ir/index.js';
import type { ResourceSnapshot } from '../provider/snapshot.js';
import type { Conflict } from './conflict.js';
import type { SnapshotReader } from './snapshot-index.js';

/** One valid policy's settings as IR, before it is merged with the other policies covering a port. */
export interface CompiledPolicy {
  /** `<namespace>/<name>`. */
  key: string;
  /** Enforce or Audit: policies are merged only with policies of the same mode. */
  mode: PolicyMode;
  /** The policy's settings alone, as if it were the only policy on the port. */
  set: PolicySetIR;
  /** spec.logging.accessLog (default true). */
  accessLog: boolean;
  /** Header names (lower case) to redact: spec.logging.redactHeaders plus the policy's API-key and JWT headers. */
  redactHeaders: string[];
}

/** What compiling one policy needs besides the policy. */
export interface CompileContext {
  /** The trust domain of SPIFFE IDs. */
  trustDomain: string;
  /** The whole snapshot (segmentation selects peers from it). */
  snapshot: ResourceSnapshot;
  /**
   * How compiling reads the snapshot, when given (else `snapshot` is read through a fresh SnapshotIndex). The
   * translator passes its index, and the translate memo a recording reader: compiling must read the snapshot only
   * through it, so the memo knows what a compiled policy depends on.
   */
  reader?: SnapshotReader;
  /** Namespace of the policy. */
  namespace: string;
  /** `<namespace>/<name>` of the policy; ids of its rules, providers, clients and limits start with it. */
  key: string;
}

/** The result of merging one setting over several policies, and the conflicts met. */
export interface Merged<T> {
  /** The merged setting. */
  value: T;
  /** Conflicts found while merging (empty when the settings combine). */
  conflicts: Conflict[];
}
