/**
 * Request validation of Audit-mode policies (PortIR.audit.requestValidation): one RBAC filter holding only
 * `shadow_rules`, which Envoy evaluates, counts and records in dynamic metadata but never enforces, so it never
 * blocks. Its rules have DENY semantics: each policy matches a request the Audit policies' validation would refuse,
 * named like the Enforce side's answer (routes.ts, path-params.ts):
 * - `path-parameters`: a `;` parameter in the path (unless `allowPathParameters`);
 * - `body-too-large`: a `content-length` above `maxBodyBytes` (a body without `content-length`, chunked, cannot be
 *   measured without buffering it, which an Audit policy must not do: it is not observed);
 * - `method-not-allowed`: a method outside `allowedMethods`;
 * - `content-type-not-allowed`, `content-type-missing`, `content-type-missing-chunked`: a body whose media type is
 *   not in `allowedContentTypes`, or announced without any `content-type`;
 * - `required-header|<name>`: a missing `requiredHeaders` entry.
 * Counted by Envoy as `http.<hcm prefix>.rbac.<AUDIT_VALIDATION_STAT_PREFIX>shadow_denied`; recorded in the `envoy.filters.http.rbac`
 * metadata keys `<prefix>shadow_engine_result` (`denied`) and `<prefix>shadow_effective_policy_id` (the first
 * matching policy by name), which the access log reads (`audit_validation_result`, `audit_validation_rule`).
 * `maxHeadersKb` and `openapi` of Audit policies are not observed.
 *
 * The filter runs right after header sanitizing, before any enforcing filter, so every request the HTTP connection
 * manager accepts is evaluated, including those an Enforce-mode check then refuses.
 */
import { ACCESS_LOG_CONTRACT } from '../../../api/contracts.js';
import { RBAC as RbacConfig, RBAC_Action } from '../../../gen/envoy/config/rbac/v3/rbac.js';
import type { DeepPartial, Policy } from '../../../gen/envoy/config/rbac/v3/rbac.js';
import { RBAC } from '../../../gen/envoy/extensions/filters/http/rbac/v3/rbac.js';
import { HttpFilter } from '../../../gen/envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.js';
import type { RequestValidationIR } from '../../../ir/index.js';
import { packAny } from '../../proto/any.js';
import { mediaTypeRegex } from '../routes.js';
import type { FilterOutput, HttpFilterModule, ModuleContext } from './module.js';
import { PATH_PARAMS_POLICY, pathParameterPermission } from './path-params.js';
import type { PermissionInit } from './rbac-matchers.js';
import { andPermissions, anyPrincipal, methodsPermission, orPermissions } from './rbac-matchers.js';

/** Name of the Audit request-validation filter. */
export const AUDIT_VALIDATION_FILTER_NAME = 'aspen.audit_validation';
/** Shadow stat (and metadata key) prefix of the Audit request-validation filter. */
export const AUDIT_VALIDATION_STAT_PREFIX = ACCESS_LOG_CONTRACT.engines.auditValidation.prefix;
/** Upper end (exclusive) of the `content-length` range that is too large: larger than any real body. */
const CONTENT_LENGTH_END = Number.MAX_SAFE_INTEGER;

/** The request does not match `rule`. */
function not(rule: PermissionInit): PermissionInit {
  return { rule: { $case: 'notRule', value: rule } };
}

/** The header is present (any value). */
function present(name: string): PermissionInit {
  return {
    rule: { $case: 'header', value: { name, headerMatchSpecifier: { $case: 'presentMatch', value: true } } },
  };
}

/** The header equals `value`. */
function equals(name: string, value: string): PermissionInit {
  return {
    rule: {
      $case: 'header',
      value: {
        name,
        headerMatchSpecifier: { $case: 'stringMatch', value: { matchPattern: { $case: 'exact', value } } },
      },
    },
  };
}

/** `content-type` is the media type `type` (case-insensitive; optional parameters after `;`). */
function mediaType(type: string): PermissionInit {
  return {
    rule: {
      $case: 'header',
      value: {
        name: 'content-type',
        headerMatchSpecifier: {
          $case: 'stringMatch',
          value: { matchPattern: { $case: 'safeRegex', value: { regex: mediaTypeRegex(type) } } },
        },
      },
    },
  };
}

/** `content-length` announces more than `max` bytes. */
function contentLengthAbove(max: number): PermissionInit {
  return {
    rule: {
      $case: 'header',
      value: {
        name: 'content-length',
        headerMatchSpecifier: { $case: 'rangeMatch', value: { start: max + 1, end: CONTENT_LENGTH_END } },
      },
    },
  };
}

/** The would-deny conditions on content types, by policy name. */
function contentTypeConditions(allowed: string[] | undefined): [string, PermissionInit][] {
  if (allowed === undefined) return [];
  const anyAllowed = orPermissions([...allowed].sort().map(mediaType));
  return [
    ['content-type-not-allowed', andPermissions([present('content-type'), not(anyAllowed)])],
    [
      'content-type-missing',
      andPermissions([
        not(present('content-type')),
        present('content-length'),
        not(equals('content-length', '0')),
      ]),
    ],
    [
      'content-type-missing-chunked',
      andPermissions([not(present('content-type')), present('transfer-encoding')]),
    ],
  ];
}

/** Every would-deny condition of a request validation, by policy name (see the module comment). */
export function validationConditions(rv: RequestValidationIR): [string, PermissionInit][] {
  const conditions: [string, PermissionInit][] = [];
  if (!rv.allowPathParameters) conditions.push([PATH_PARAMS_POLICY, pathParameterPermission()]);
  if (rv.maxBodyBytes !== undefined) conditions.push(['body-too-large', contentLengthAbove(rv.maxBodyBytes)]);
  if (rv.allowedMethods !== undefined) {
    conditions.push(['method-not-allowed', not(methodsPermission([...rv.allowedMethods].sort()))]);
  }
  conditions.push(...contentTypeConditions(rv.allowedContentTypes));
  for (const header of [...rv.requiredHeaders].sort()) {
    conditions.push([`required-header|${header}`, not(present(header))]);
  }
  return conditions;
}

/** The shadow-only RBAC config of an Audit request validation, or undefined when it checks nothing. */
export function auditValidationConfig(rv: RequestValidationIR): RBAC | undefined {
  const conditions = validationConditions(rv);
  if (conditions.length === 0) return undefined;
  const policies: Record<string, DeepPartial<Policy>> = {};
  for (const [name, permission] of conditions)
    policies[name] = { permissions: [permission], principals: [anyPrincipal()] };
  return RBAC.fromPartial({
    shadowRules: RbacConfig.fromPartial({ action: RBAC_Action.DENY, policies }),
    shadowRulesStatPrefix: AUDIT_VALIDATION_STAT_PREFIX,
  });
}

/** The Audit request-validation module: one shadow-only RBAC filter when Audit policies validate requests. */
export const auditValidationFilter: HttpFilterModule = {
  id: 'audit-validation',
  build(ctx: ModuleContext): FilterOutput {
    const rv = ctx.port.audit?.requestValidation;
    const config = rv === undefined ? undefined : auditValidationConfig(rv);
    if (config === undefined) return { httpFilters: [], clusters: [] };
    return {
      httpFilters: [
        HttpFilter.fromPartial({
          name: AUDIT_VALIDATION_FILTER_NAME,
          configType: { $case: 'typedConfig', value: packAny(config) },
        }),
      ],
      clusters: [],
    };
  },
};
