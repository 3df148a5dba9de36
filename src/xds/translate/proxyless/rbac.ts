/**
 * The RBAC filters of a proxyless server port, in the shapes gRPC accepts (gRFC A41): every filter has `rules` (gRPC
 * rejects RBAC without them, and the LOG action), so Audit shadow rules have no place here.
 *
 * - `aspen.rbac.fail_closed`: ALLOW with no policies (denies every call) when the port fails closed — a covering
 *   policy could not be translated, or needs what gRPC cannot enforce (see src/proxyless/unsupported.ts). Alone:
 *   nothing else matters once everything is denied.
 * - `aspen.rbac.segmentation`: ALLOW for the segmentation's peer identities. Envoy enforces segmentation per
 *   connection (network RBAC); gRPC has no network filters, so here it applies to every call, which refuses the same
 *   peers.
 * - `aspen.rbac.deny`, `aspen.rbac.allow`: the port's Deny rules, then its Allow rules when the default is Deny, as
 *   for Envoy (src/xds/translate/filters/rbac.ts, whose policy builders are shared).
 */
import { RBAC as RbacConfig, RBAC_Action } from '../../../gen/envoy/config/rbac/v3/rbac.js';
import type { DeepPartial, Policy } from '../../../gen/envoy/config/rbac/v3/rbac.js';
import { RBAC } from '../../../gen/envoy/extensions/filters/http/rbac/v3/rbac.js';
import { Router } from '../../../gen/envoy/extensions/filters/http/router/v3/router.js';
import { HttpFilter } from '../../../gen/envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.js';
import type { PortIR } from '../../../ir/index.js';
import { unsupportedFeatures } from '../../../proxyless/unsupported.js';
import { packAny } from '../../proto/any.js';
import { ENFORCE_PAYLOAD_KEY } from '../filters/jwt-providers.js';
import { anyPermission, spiffePrincipals } from '../filters/rbac-matchers.js';
import { rulePolicies } from '../filters/rbac.js';

/** The router filter, last in every proxyless connection manager (gRPC requires it there). */
export function proxylessRouter(): HttpFilter {
  return HttpFilter.fromPartial({
    name: 'envoy.filters.http.router',
    configType: { $case: 'typedConfig', value: packAny(Router.fromPartial({})) },
  });
}

/** Name of the filter that denies every call of a port that fails closed. */
export const FAIL_CLOSED_FILTER = 'aspen.rbac.fail_closed';

function rbacFilter(
  name: string,
  action: RBAC_Action,
  policies: Record<string, DeepPartial<Policy>>,
): HttpFilter {
  const config = RBAC.fromPartial({ rules: RbacConfig.fromPartial({ action, policies }) });
  return HttpFilter.fromPartial({ name, configType: { $case: 'typedConfig', value: packAny(config) } });
}

/**
 * Whether the port must deny every call: a covering policy failed closed, or the port's settings hold something gRPC
 * cannot enforce (checked here too, so an IR that skipped the translator's proxyless step still fails closed).
 */
export function portFailsClosed(port: PortIR): boolean {
  if (port.failClosed.length > 0 || port.audit !== undefined) return true;
  return unsupportedFeatures(port.enforce, 'Enforce').length > 0;
}

/** The RBAC filters of one server port (see the module comment), in chain order. */
export function proxylessRbacFilters(port: PortIR): HttpFilter[] {
  if (portFailsClosed(port)) return [rbacFilter(FAIL_CLOSED_FILTER, RBAC_Action.ALLOW, {})];
  const set = port.enforce;
  const filters: HttpFilter[] = [];
  if (set.segmentation !== undefined) {
    const principals = set.segmentation.allowedPrincipals.map((exact) => ({ exact }));
    filters.push(
      rbacFilter('aspen.rbac.segmentation', RBAC_Action.ALLOW, {
        segmentation: { permissions: [anyPermission()], principals: [spiffePrincipals(principals)] },
      }),
    );
  }
  const deny = set.authorization.rules.filter((r) => r.action === 'Deny');
  if (deny.length > 0) {
    filters.push(rbacFilter('aspen.rbac.deny', RBAC_Action.DENY, rulePolicies(deny, ENFORCE_PAYLOAD_KEY)));
  }
  if (set.authorization.defaultAction === 'Deny') {
    const allow = set.authorization.rules.filter((r) => r.action === 'Allow');
    filters.push(rbacFilter('aspen.rbac.allow', RBAC_Action.ALLOW, rulePolicies(allow, ENFORCE_PAYLOAD_KEY)));
  }
  return filters;
}
