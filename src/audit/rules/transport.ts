/** Rules about who may connect at all: mTLS mode and L4 segmentation. */
import type { ApiSecurityPolicy, MtlsMode } from '../../api/v1alpha1/types.js';
import { type AuditRule, type RuleHit, eachPolicy, policyObject } from '../rule.js';

function mtlsHit(policy: ApiSecurityPolicy, mode: MtlsMode, message: string): RuleHit[] {
  if ((policy.spec.mtls?.mode ?? 'STRICT') !== mode) return [];
  return [
    {
      object: policyObject(policy),
      field: 'spec.mtls.mode',
      message,
      hint: 'set spec.mtls.mode to STRICT (the default) once every caller runs with a sidecar',
    },
  ];
}

/**
 * ASP005: `mtls.mode: PERMISSIVE` accepts plaintext as well as mTLS. Plaintext callers have no verified identity,
 * traffic can be read and altered on the wire, and rules on principals or namespaces cannot match them. Meant for
 * migrations; medium when left on.
 */
export const mtlsPermissive: AuditRule = {
  id: 'ASP005',
  severity: 'medium',
  title: 'mTLS PERMISSIVE: plaintext connections accepted',
  check: (input) =>
    eachPolicy(input, (p) =>
      mtlsHit(
        p,
        'PERMISSIVE',
        'mTLS is PERMISSIVE: plaintext connections without a peer identity are accepted',
      ),
    ),
};

/**
 * ASP006: `mtls.mode: DISABLE` accepts plaintext only: no encryption in transit and no peer identity at all, so
 * principal and namespace rules never match and callers cannot be told apart. High.
 */
export const mtlsDisabled: AuditRule = {
  id: 'ASP006',
  severity: 'high',
  title: 'mTLS DISABLE: plaintext only, no peer identity',
  check: (input) =>
    eachPolicy(input, (p) =>
      mtlsHit(p, 'DISABLE', 'mTLS is DISABLEd: traffic is plaintext and callers have no verified identity'),
    ),
};

/**
 * ASP015: `segmentation.allowFrom: []` lets no peer connect, so the workload is unreachable. Fail-closed, so not a
 * weakness, but rarely what was meant (a missing selector is the usual cause). Info.
 */
export const segmentationEmpty: AuditRule = {
  id: 'ASP015',
  severity: 'info',
  title: 'segmentation.allowFrom is empty: nobody can connect',
  check: (input) =>
    eachPolicy(input, (p) =>
      p.spec.segmentation?.allowFrom.length === 0
        ? [
            {
              object: policyObject(p),
              field: 'spec.segmentation.allowFrom',
              message: 'segmentation.allowFrom is empty: no peer can connect to the selected workloads',
              hint: 'list the peers that may connect (namespaceSelector/podSelector), or remove spec.segmentation to not restrict connections',
            },
          ]
        : [],
    ),
};
