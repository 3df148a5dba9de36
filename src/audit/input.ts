/** What `aspen audit` looks at: the snapshot and everything the translator concluded from it. */
import type { ApiSecurityPolicy } from '../api/v1alpha1/types.js';
import type { ProxyIR } from '../ir/index.js';
import type { ResourceSnapshot } from '../provider/snapshot.js';
import type { PolicyStatus } from '../translate/status.js';

/**
 * The input of every audit rule: the translator's output plus the snapshot it was computed from. Rules read it and
 * never change it.
 */
export interface AuditInput {
  /** Everything the provider read. */
  snapshot: ResourceSnapshot;
  /** One entry per workload: what its proxy enforces (including workloads no policy selects). */
  proxies: ProxyIR[];
  /** One entry per policy, valid or not: conditions and problems. */
  statuses: PolicyStatus[];
  /** The policies that passed validation, with defaults applied. Invalid policies appear only in `statuses`. */
  policies: ApiSecurityPolicy[];
}
