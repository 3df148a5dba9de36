/**
 * JWT authentication: Envoy jwt_authn filters from PolicySetIR.jwt.
 *
 * Requirements (checked against Envoy's documented semantics of JwtRequirement):
 * - Enforce, `required: true`: `provider_name` (one provider) or `requires_any` of every provider. A request
 *   without a valid token from one of them is answered 401.
 * - Enforce, `required: false`: `requires_any [providers…, allow_missing]`. A request with no token at all goes on
 *   to authorization (rules may still require claims); a request carrying a token that fails verification (bad
 *   signature, unknown issuer, wrong audience, expired, no `exp`) is refused — which is why `allow_missing` is used
 *   and never `allow_missing_or_failed`.
 * - Audit: a second filter, `requires_any [providers…, allow_missing_or_failed]`, that never blocks but still
 *   verifies and extracts claims (metadata key AUDIT_PAYLOAD_KEY) for the Audit shadow rules. It runs before the
 *   enforcing filter, because the enforcing filter removes the token from the request.
 * Provider names in the filter are the provider ids (`<namespace>/<policy>/<provider>`), unique by construction.
 * One rule, prefix `/`, covers every path.
 */
import { JwtAuthentication } from '../../../gen/envoy/extensions/filters/http/jwt_authn/v3/config.js';
import type {
  DeepPartial,
  JwtProvider,
  JwtRequirement,
} from '../../../gen/envoy/extensions/filters/http/jwt_authn/v3/config.js';
import { HttpFilter } from '../../../gen/envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.js';
import type { JwtIR } from '../../../ir/index.js';
import { packAny } from '../../proto/any.js';
import { jwksClusters, jwtProvider } from './jwt-providers.js';
import type { ProviderMode } from './jwt-providers.js';
import type { FilterOutput, HttpFilterModule, ModuleContext, PortPolicies } from './module.js';

/** Name of the enforcing jwt_authn filter. */
export const JWT_FILTER_NAME = 'envoy.filters.http.jwt_authn';
/** Name of the Audit jwt_authn filter. */
export const JWT_AUDIT_FILTER_NAME = 'aspen.jwt_authn.audit';

/** The requirement a request must meet, for the given mode (see the module comment). */
export function jwtRequirement(jwt: JwtIR, mode: ProviderMode): DeepPartial<JwtRequirement> {
  const providers: DeepPartial<JwtRequirement>[] = jwt.providers.map((p) => ({
    requiresType: { $case: 'providerName', value: p.id },
  }));
  if (mode === 'audit') {
    providers.push({ requiresType: { $case: 'allowMissingOrFailed', value: {} } });
  } else if (!jwt.required) {
    providers.push({ requiresType: { $case: 'allowMissing', value: {} } });
  }
  if (providers.length === 1) return providers[0]!;
  return { requiresType: { $case: 'requiresAny', value: { requirements: providers } } };
}

/** The jwt_authn config of one JwtIR in the given mode. */
export function jwtAuthentication(jwt: JwtIR, mode: ProviderMode): JwtAuthentication {
  const providers: Record<string, JwtProvider> = {};
  for (const provider of jwt.providers) providers[provider.id] = jwtProvider(provider, mode);
  return JwtAuthentication.fromPartial({
    providers,
    rules: [
      {
        match: { pathSpecifier: { $case: 'prefix', value: '/' } },
        requirementType: { $case: 'requires', value: jwtRequirement(jwt, mode) },
      },
    ],
  });
}

/** A jwt_authn HTTP filter. */
function jwtFilter(name: string, config: JwtAuthentication): HttpFilter {
  return HttpFilter.fromPartial({ name, configType: { $case: 'typedConfig', value: packAny(config) } });
}

/** The JWT filters and JWKS clusters of a port: Audit first, then Enforce (each only when configured). */
export function jwtOutput(port: PortPolicies): FilterOutput {
  const out: FilterOutput = { httpFilters: [], clusters: [] };
  const audit = port.audit?.jwt;
  const enforce = port.enforce.jwt;
  if (audit !== undefined && audit.providers.length > 0) {
    out.httpFilters.push(jwtFilter(JWT_AUDIT_FILTER_NAME, jwtAuthentication(audit, 'audit')));
  }
  if (enforce !== undefined && enforce.providers.length > 0) {
    out.httpFilters.push(jwtFilter(JWT_FILTER_NAME, jwtAuthentication(enforce, 'enforce')));
  }
  const providers = [...(audit?.providers ?? []), ...(enforce?.providers ?? [])];
  const clusters = jwksClusters(providers);
  return { httpFilters: out.httpFilters, clusters };
}

/** The JWT module. */
export const jwtFilters: HttpFilterModule = {
  id: 'jwt',
  build(ctx: ModuleContext): FilterOutput {
    return jwtOutput(ctx.port);
  },
};
