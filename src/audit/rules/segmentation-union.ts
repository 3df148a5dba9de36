/** The rule about segmentation layers that disagree: NetworkPolicies combine as a union, the sidecar intersects. */
import { policyObject, nameList, type AuditRule, type RuleHit } from '../rule.js';
import { overlapMessage, segmentationOverlaps } from '../../translate/segmentation-union.js';

/**
 * ASP016: several Enforce-mode policies with different `segmentation.allowFrom` cover the same port of a workload.
 * The sidecar admits only peers every policy allows, but Kubernetes combines their NetworkPolicies as a union, so a
 * peer just one policy allows passes the network layer: only one of the two layers stops it. Low.
 */
export const segmentationUnion: AuditRule = {
  id: 'ASP016',
  severity: 'low',
  title: 'different segmentation on one workload: the network layer admits the union',
  check: (input) => {
    const overlaps = segmentationOverlaps(input.policies, input.snapshot.workloads);
    return input.policies.flatMap((p): RuleHit[] => {
      const found = overlaps.get(`${p.metadata.namespace}/${p.metadata.name}`);
      if (found === undefined) return [];
      const others = [...new Set(found.flatMap((o) => o.others))].sort();
      return [
        {
          object: policyObject(p),
          field: 'spec.segmentation.allowFrom',
          message: overlapMessage(found),
          hint: `give ${nameList(others)} the same allowFrom, or move the segmentation of these workloads into one policy`,
        },
      ];
    });
  },
};
