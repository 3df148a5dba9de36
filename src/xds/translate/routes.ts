/**
 * The route configuration (RDS) of one inbound port: fail closed when a policy could not be applied, else the
 * request-validation answers (405, 415, 400) and then the application. Routes run after every HTTP filter (the router
 * is last), so these checks complement, never replace, the filters: header sanitizing is the sanitize filter's job,
 * since `request_headers_to_remove` would only act at the router. Only the Enforce set's request validation is
 * routed; the Audit set's is counted and logged, never answered, by filters/audit-validation.ts.
 */
import { HeaderMatcher, Route } from '../../gen/envoy/config/route/v3/route_components.js';
import { RouteConfiguration } from '../../gen/envoy/config/route/v3/route.js';
import type { PolicySetIR, PortIR, RequestValidationIR } from '../../ir/index.js';
import { durationS } from './common.js';
import { inboundRouteName, localAppCluster } from './names.js';

/** Upstream timeout of a request to the application (Envoy's default is 15 s; APIs may be slower). */
export const ROUTE_TIMEOUT_S = 60;

/**
 * What a port's route configuration is built from: its number, the policies that fail closed, and the Enforce set's
 * request validation (route configurations are memoised on exactly these, inbound.ts).
 */
export type RoutePort = Pick<PortIR, 'port' | 'failClosed'> & {
  enforce: Pick<PolicySetIR, 'requestValidation'>;
};

/** The route configuration of one inbound port. */
export function inboundRoutes(port: RoutePort): RouteConfiguration {
  const name = inboundRouteName(port.port);
  const routes =
    port.failClosed.length > 0
      ? [failClosedRoute(port)]
      : [...validationRoutes(port.enforce.requestValidation), appRoute(port.port)];
  return RouteConfiguration.fromPartial({
    name,
    virtualHosts: [{ name, domains: ['*'], routes }],
  });
}

/**
 * Every request is answered 403: an Enforce-mode policy covering the port could not be translated. The body names the
 * policies only, nothing about why.
 */
function failClosedRoute(port: RoutePort): Route {
  const policies = port.failClosed.map((f) => f.policy).join(', ');
  return directResponse('fail-closed', [], 403, `denied: policy ${policies} could not be applied\n`);
}

/** The request-validation routes, in the order docs/policy-semantics.md gives: method, content type, headers. */
export function validationRoutes(rv: RequestValidationIR): Route[] {
  return [
    ...methodRoutes(rv.allowedMethods),
    ...contentTypeRoutes(rv.allowedContentTypes),
    ...requiredHeaderRoutes(rv.requiredHeaders),
  ];
}

/** 405 when the method is none of `allowed` (one inverted exact match per method: all must hold). */
function methodRoutes(allowed: string[] | undefined): Route[] {
  if (allowed === undefined) return [];
  const headers = [...allowed].sort().map((m) => exact(':method', m, true));
  return [directResponse('method-not-allowed', headers, 405, 'method not allowed\n')];
}

/**
 * 415 when the request has a body whose media type is not allowed: a `content-type` that matches none of the allowed
 * types (case-insensitive, parameters such as `; charset=utf-8` permitted), or a body announced by `content-length`
 * (not 0) or `transfer-encoding` without any `content-type`. Limitation: an HTTP/2 body sent without
 * `content-length` and without `content-type` cannot be seen at routing time.
 */
function contentTypeRoutes(allowed: string[] | undefined): Route[] {
  if (allowed === undefined) return [];
  const notAllowed = [...allowed].sort().map((type) => mediaType(type));
  const body = 'unsupported media type\n';
  return [
    directResponse('content-type-not-allowed', [present('content-type'), ...notAllowed], 415, body),
    directResponse(
      'content-type-missing',
      [absent('content-type'), present('content-length'), exact('content-length', '0', true)],
      415,
      body,
    ),
    directResponse(
      'content-type-missing-chunked',
      [absent('content-type'), present('transfer-encoding')],
      415,
      body,
    ),
  ];
}

/** 400 when a required header is missing: one route per header. */
function requiredHeaderRoutes(required: string[]): Route[] {
  return [...required]
    .sort()
    .map((header) =>
      directResponse(
        `required-header|${header}`,
        [absent(header)],
        400,
        `missing required header ${header}\n`,
      ),
    );
}

/** The application, behind the port's local cluster. */
function appRoute(port: number): Route {
  return Route.fromPartial({
    name: 'app',
    match: { pathSpecifier: { $case: 'prefix', value: '/' } },
    action: {
      $case: 'route',
      value: {
        clusterSpecifier: { $case: 'cluster', value: localAppCluster(port) },
        timeout: durationS(ROUTE_TIMEOUT_S),
      },
    },
  });
}

/** A route answering every request that matches `headers` with `status` and a short plain-text body. */
function directResponse(name: string, headers: HeaderMatcher[], status: number, body: string): Route {
  return Route.fromPartial({
    name,
    match: { pathSpecifier: { $case: 'prefix', value: '/' }, headers },
    action: {
      $case: 'directResponse',
      value: { status, body: { specifier: { $case: 'inlineString', value: body } } },
    },
  });
}

/** The header is present (any value). */
function present(name: string): HeaderMatcher {
  return HeaderMatcher.fromPartial({ name, headerMatchSpecifier: { $case: 'presentMatch', value: true } });
}

/** The header is absent. */
function absent(name: string): HeaderMatcher {
  return HeaderMatcher.fromPartial({
    name,
    headerMatchSpecifier: { $case: 'presentMatch', value: true },
    invertMatch: true,
  });
}

/** The header equals `value` (or, inverted, does not). */
function exact(name: string, value: string, invert: boolean): HeaderMatcher {
  return HeaderMatcher.fromPartial({
    name,
    headerMatchSpecifier: { $case: 'stringMatch', value: { matchPattern: { $case: 'exact', value } } },
    invertMatch: invert,
  });
}

/** RE2 regex (full match) of a `content-type` of media type `type` (case-insensitive; parameters after `;`). */
export function mediaTypeRegex(type: string): string {
  return `(?i)^\\s*${escapeRe2(type)}\\s*(;.*)?$`;
}

/** `content-type` is NOT the media type `type` (case-insensitive; optional parameters after `;`). */
function mediaType(type: string): HeaderMatcher {
  const regex = mediaTypeRegex(type);
  return HeaderMatcher.fromPartial({
    name: 'content-type',
    headerMatchSpecifier: {
      $case: 'stringMatch',
      value: { matchPattern: { $case: 'safeRegex', value: { regex } } },
    },
    invertMatch: true,
  });
}

/** Escapes RE2 metacharacters (media types contain `.` and `+`). */
export function escapeRe2(literal: string): string {
  return literal.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&');
}
