/**
 * The HTTP connection manager of one inbound port, hardened the same way on every port whatever the policy says
 * (issue 3): path normalisation before anything matches on paths, strict header handling, size limits, timeouts
 * against slow clients, a trusted client address, and a sanitized x-forwarded-client-cert.
 */
import { HttpProtocolOptions_HeadersWithUnderscoresAction } from '../../gen/envoy/config/core/v3/protocol.js';
import type { AccessLog } from '../../gen/envoy/config/accesslog/v3/accesslog.js';
import type { Cluster } from '../../gen/envoy/config/cluster/v3/cluster.js';
import {
  HttpConnectionManager,
  HttpConnectionManager_ForwardClientCertDetails,
  HttpConnectionManager_PathWithEscapedSlashesAction,
  HttpConnectionManager_ServerHeaderTransformation,
} from '../../gen/envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.js';
import type { HttpFilter } from '../../gen/envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.js';
import { durationS } from './common.js';
import type { PortIR } from '../../ir/index.js';
import type { ModuleContext } from './filters/module.js';
import { HTTP_FILTER_ORDER } from './filters/order.js';
import { inboundRouteName, inboundStatPrefix } from './names.js';
import { adsConfigSource } from './tls.js';

/** A part of the connection manager's fields, as `fromPartial` takes them. */
type HcmFields = Parameters<typeof HttpConnectionManager.fromPartial>[0];

/** Name of the HTTP connection manager network filter. */
export const HCM_FILTER = 'envoy.filters.network.http_connection_manager';

/** Largest header block when no policy sets `requestValidation.maxHeadersKb` (Envoy's own default is 60 KiB). */
export const DEFAULT_MAX_HEADERS_KB = 60;
/** Most request headers accepted (Envoy's default, stated explicitly so a reader sees the limit). */
export const MAX_HEADERS_COUNT = 100;
/** A stream with no activity for this long is reset (Envoy's default, 5 minutes, stated explicitly). */
export const STREAM_IDLE_TIMEOUT_S = 300;
/**
 * The whole request (headers and body) must arrive within this time: a slow-body (slowloris-style) client cannot hold
 * a stream forever. 60 s fits API requests; long client-streaming calls would need a longer value.
 */
export const REQUEST_TIMEOUT_S = 60;
/** The request headers must arrive within this time after the first byte (slow-header attacks). */
export const REQUEST_HEADERS_TIMEOUT_S = 10;

/** The HTTP filters and the clusters they need, for one port, in the order of HTTP_FILTER_ORDER. */
export function httpFiltersFor(ctx: ModuleContext): { httpFilters: HttpFilter[]; clusters: Cluster[] } {
  const outputs = HTTP_FILTER_ORDER.map((module) => module.build(ctx));
  return {
    httpFilters: outputs.flatMap((o) => o.httpFilters),
    clusters: outputs.flatMap((o) => o.clusters),
  };
}

/**
 * The hardened connection manager of one inbound port. `accessLog` comes from the access-log module and
 * `httpFilters` from the filter modules; routes come over RDS (inboundRouteName(port)).
 */
export function inboundHcm(
  ctx: { port: PortIR },
  httpFilters: HttpFilter[],
  accessLog: AccessLog[],
): HttpConnectionManager {
  const port = ctx.port.port;
  return HttpConnectionManager.fromPartial({
    statPrefix: inboundStatPrefix(port),
    routeSpecifier: {
      $case: 'rds',
      value: { configSource: adsConfigSource(), routeConfigName: inboundRouteName(port) },
    },
    httpFilters,
    accessLog,
    ...pathHardening(),
    ...headerLimits(ctx.port.enforce.requestValidation.maxHeadersKb),
    ...timeouts(),
    ...clientAddress(),
    ...clientCertDetails(),
    // Envoy adds no `server: envoy` header and leaves the application's own: peers learn nothing about the proxy.
    serverHeaderTransformation: HttpConnectionManager_ServerHeaderTransformation.PASS_THROUGH,
    // `Host: api:8080` matches the same virtual host (and host rules) as `Host: api`.
    stripPortMode: { $case: 'stripAnyHostPort', value: true },
  });
}

/**
 * Paths are made canonical before any filter or route matches on them, so `//admin`, `/a/../admin` and `/%2e%2e/admin`
 * reach RBAC as the path the application will serve:
 * - `normalize_path`: RFC 3986 normalisation (percent-decoding of unreserved characters such as `%2e`, then `.`/`..`
 *   segment resolution);
 * - `merge_slashes`: `//admin` → `/admin`;
 * - `path_with_escaped_slashes_action: REJECT_REQUEST`: a path containing `%2F`/`%2f`/`%5C`/`%5c` is answered 400.
 *   UNESCAPE_AND_REDIRECT was the alternative: it relies on the client following a redirect (API clients often do not,
 *   or turn a POST into a GET), and an escaped slash in an API path is almost always an attempt to make the proxy and
 *   the application see different paths. Rejecting is closed and unambiguous.
 */
function pathHardening(): HcmFields {
  return {
    normalizePath: true,
    mergeSlashes: true,
    pathWithEscapedSlashesAction: HttpConnectionManager_PathWithEscapedSlashesAction.REJECT_REQUEST,
  };
}

/**
 * Header limits: a block larger than `maxHeadersKb` (431) or with more than MAX_HEADERS_COUNT headers is refused, and
 * so is any header name with an underscore (`x_user` must not slip past rules and sanitizers written for `x-user`,
 * since many application frameworks treat `_` and `-` alike).
 */
function headerLimits(maxHeadersKb: number | undefined): HcmFields {
  return {
    maxRequestHeadersKb: maxHeadersKb ?? DEFAULT_MAX_HEADERS_KB,
    commonHttpProtocolOptions: {
      maxHeadersCount: MAX_HEADERS_COUNT,
      headersWithUnderscoresAction: HttpProtocolOptions_HeadersWithUnderscoresAction.REJECT_REQUEST,
    },
  };
}

/** Timeouts against slow and idle clients (values above). */
function timeouts(): HcmFields {
  return {
    streamIdleTimeout: durationS(STREAM_IDLE_TIMEOUT_S),
    requestTimeout: durationS(REQUEST_TIMEOUT_S),
    requestHeadersTimeout: durationS(REQUEST_HEADERS_TIMEOUT_S),
  };
}

/**
 * The client address Envoy trusts (RBAC `remote_ip`, rate-limit `remote_address` keys, access logs) is the TCP peer,
 * never a header: `use_remote_address: true` with `xff_num_trusted_hops: 0`. With `use_remote_address: false` (what
 * sidecars often use, since they are not the edge) Envoy would take the last `x-forwarded-for` entry as the client
 * address, and any direct peer could choose it. The peer's address is appended to `x-forwarded-for`, so the chain an
 * edge proxy built still reaches the application.
 */
function clientAddress(): HcmFields {
  return { useRemoteAddress: true, xffNumTrustedHops: 0 };
}

/**
 * `x-forwarded-client-cert`: whatever the client sent is removed; on mTLS connections Envoy sets it from the verified
 * peer certificate (subject and URI SAN, i.e. the SPIFFE ID), so the application learns who called and nobody can
 * forge it (SANITIZE_SET; plaintext connections get none).
 */
function clientCertDetails(): HcmFields {
  return {
    forwardClientCertDetails: HttpConnectionManager_ForwardClientCertDetails.SANITIZE_SET,
    setCurrentClientCertDetails: { subject: true, uri: true },
  };
}
