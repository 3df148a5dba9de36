/**
 * Path-parameter rejection: an RBAC DENY filter refusing (403) any request whose path carries a `;` parameter,
 * literal or percent-encoded (`%3B`/`%3b`), unless every policy allows them (`allowPathParameters`). Back-ends
 * such as Tomcat strip `;…` segments, so `/admin;x` would reach `/admin` while RBAC saw another path. It runs before
 * any filter that matches on paths. The path is matched without its query string (Envoy `url_path`), where `;` is
 * harmless. Only the Enforce set is applied here; Audit policies forbidding parameters are counted, never enforced,
 * by filters/audit-validation.ts (policy PATH_PARAMS_POLICY).
 */
import { RBAC as RbacConfig, RBAC_Action } from '../../../gen/envoy/config/rbac/v3/rbac.js';
import type { DeepPartial, Permission } from '../../../gen/envoy/config/rbac/v3/rbac.js';
import { RBAC } from '../../../gen/envoy/extensions/filters/http/rbac/v3/rbac.js';
import { HttpFilter } from '../../../gen/envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.js';
import { packAny } from '../../proto/any.js';
import type { FilterOutput, HttpFilterModule, ModuleContext, PortPolicies } from './module.js';
import { anyPrincipal } from './rbac-matchers.js';

/** Name of the path-parameter filter. */
export const PATH_PARAMS_FILTER_NAME = 'aspen.path_parameters';
/** RE2 regex (full match) of a path holding a parameter separator, literal or percent-encoded. */
export const PATH_PARAMETER_REGEX = '.*(;|%3[Bb]).*';
/** Name of the one policy, in stats and metadata. */
export const PATH_PARAMS_POLICY = 'path-parameters';

/** The permission matching paths with parameters (the query string excluded). */
export function pathParameterPermission(): DeepPartial<Permission> {
  return {
    rule: {
      $case: 'urlPath',
      value: {
        rule: {
          $case: 'path',
          value: { matchPattern: { $case: 'safeRegex', value: { regex: PATH_PARAMETER_REGEX } } },
        },
      },
    },
  };
}

/** The DENY rules matching paths with parameters. */
function pathParameterRules(): RbacConfig {
  return RbacConfig.fromPartial({
    action: RBAC_Action.DENY,
    policies: {
      [PATH_PARAMS_POLICY]: { permissions: [pathParameterPermission()], principals: [anyPrincipal()] },
    },
  });
}

/** The RBAC config for a port, or undefined when the Enforce set allows path parameters. */
export function pathParamsConfig(port: PortPolicies): RBAC | undefined {
  if (port.enforce.requestValidation.allowPathParameters) return undefined;
  return RBAC.fromPartial({ rules: pathParameterRules(), rulesStatPrefix: 'aspen_path_parameters_' });
}

/** The path-parameter module. */
export const pathParamsFilter: HttpFilterModule = {
  id: 'path-params',
  build(ctx: ModuleContext): FilterOutput {
    const config = pathParamsConfig(ctx.port);
    if (config === undefined) return { httpFilters: [], clusters: [] };
    return {
      httpFilters: [
        HttpFilter.fromPartial({
          name: PATH_PARAMS_FILTER_NAME,
          configType: { $case: 'typedConfig', value: packAny(config) },
        }),
      ],
      clusters: [],
    };
  },
};
