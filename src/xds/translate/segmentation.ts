/**
 * L4 segmentation: a network RBAC filter, first on every inbound chain of a port that restricts who may connect. Only
 * peers whose verified certificate carries an allowed SPIFFE ID (URI SAN) may open a connection; plaintext peers have
 * no identity, so they are refused too. Audit-mode segmentation becomes shadow rules: counted and logged, never enforced.
 */
import { Principal, RBAC as RbacRules, RBAC_Action } from '../../gen/envoy/config/rbac/v3/rbac.js';
import { Filter } from '../../gen/envoy/config/listener/v3/listener_components.js';
import { RBAC } from '../../gen/envoy/extensions/filters/network/rbac/v3/rbac.js';
import type { PortIR, SegmentationIR } from '../../ir/index.js';
import { typedConfig } from './common.js';

/** Name of the network RBAC filter. */
export const NETWORK_RBAC_FILTER = 'envoy.filters.network.rbac';

/** Key of the one policy in the segmentation rules (it appears in stats and logs). */
export const SEGMENTATION_POLICY = 'segmentation';

/** The segmentation filter of a port, or undefined when neither Enforce nor Audit policies segment it. */
export function segmentationFilter(port: PortIR): Filter | undefined {
  const enforce = port.enforce.segmentation;
  const audit = port.audit?.segmentation;
  if (enforce === undefined && audit === undefined) return undefined;
  const config = RBAC.fromPartial({
    statPrefix: `inbound_${port.port}_segmentation.`,
    rules: enforce === undefined ? undefined : allowOnly(enforce),
    shadowRules: audit === undefined ? undefined : allowOnly(audit),
    shadowRulesStatPrefix: audit === undefined ? '' : 'audit_',
  });
  return Filter.fromPartial({ name: NETWORK_RBAC_FILTER, configType: typedConfig(config) });
}

/**
 * ALLOW rules admitting only the allowed identities. With none allowed there is no policy at all, and an ALLOW
 * filter with no policy denies every connection (Envoy requires at least one principal per policy).
 */
function allowOnly(segmentation: SegmentationIR): RbacRules {
  const ids = [...new Set(segmentation.allowedPrincipals)].sort();
  const policies =
    ids.length === 0
      ? {}
      : {
          [SEGMENTATION_POLICY]: {
            permissions: [{ rule: { $case: 'any' as const, value: true } }],
            principals: ids.map(authenticated),
          },
        };
  return RbacRules.fromPartial({ action: RBAC_Action.ALLOW, policies });
}

/** A peer whose verified certificate's URI SAN is exactly `id`. */
function authenticated(id: string): Principal {
  return Principal.fromPartial({
    identifier: {
      $case: 'authenticated',
      value: { principalName: { matchPattern: { $case: 'exact', value: id } } },
    },
  });
}
