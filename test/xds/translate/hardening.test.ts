/**
 * The HTTP connection manager is hardened on every port, whatever the policy says. There is no Envoy binary here, so
 * each attack names the connection-manager setting that defeats it before any filter (RBAC, JWT, rate limits) or route
 * matches on the request, and the test asserts that setting on every HCM aspen emits.
 */
import { expect } from 'chai';
import { HttpProtocolOptions_HeadersWithUnderscoresAction } from '../../../src/gen/envoy/config/core/v3/protocol.js';
import {
  HttpConnectionManager_ForwardClientCertDetails,
  HttpConnectionManager_PathWithEscapedSlashesAction,
  HttpConnectionManager_ServerHeaderTransformation,
} from '../../../src/gen/envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.js';
import type { HttpConnectionManager } from '../../../src/gen/envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.js';
import type { PortIR } from '../../../src/ir/index.js';
import { defaultXdsConfig } from '../../../src/xds/translate/config.js';
import { translateProxy } from '../../../src/xds/translate/translate.js';
import { policySet, port, portWithMtls, proxy } from './fixtures.js';
import { hcmOf, listenerNamed } from './unpack.js';

const config = defaultXdsConfig('cluster.local');

/** Every HCM of every chain of the inbound listener for these ports. */
function hcms(...ports: PortIR[]): HttpConnectionManager[] {
  return listenerNamed(translateProxy(proxy(ports), config), 'inbound').filterChains.map(hcmOf);
}

/** Ports in every mTLS mode, so each chain kind is covered. */
const everyMode = [
  portWithMtls(8080, 'STRICT'),
  portWithMtls(8081, 'PERMISSIVE'),
  portWithMtls(8082, 'DISABLE'),
];

/** One path-bypass vector: what the attacker sends, and the setting that makes RBAC see what the app serves. */
interface Vector {
  path: string;
  attack: string;
  setting: string;
  holds: (hcm: HttpConnectionManager) => boolean;
}

const normalize = (hcm: HttpConnectionManager): boolean => hcm.normalizePath === true;
const rejectEscapedSlashes = (hcm: HttpConnectionManager): boolean =>
  hcm.pathWithEscapedSlashesAction === HttpConnectionManager_PathWithEscapedSlashesAction.REJECT_REQUEST;

const vectors: Vector[] = [
  {
    path: '//admin',
    attack: 'doubled slash slips past a `/admin` prefix rule',
    setting: 'merge_slashes: true (→ /admin)',
    holds: (hcm) => hcm.mergeSlashes,
  },
  {
    path: '/a/../admin',
    attack: 'dot segments resolved by the app, not by the rule',
    setting: 'normalize_path: true (RFC 3986 dot-segment removal → /admin)',
    holds: normalize,
  },
  {
    path: '/%2e%2e/admin',
    attack: 'percent-encoded dot segments',
    setting: 'normalize_path: true (decodes unreserved %2e, then removes dot segments)',
    holds: normalize,
  },
  {
    path: '/public%2F..%2Fadmin',
    attack: 'encoded slash: the proxy sees one segment, the app several',
    setting: 'path_with_escaped_slashes_action: REJECT_REQUEST (400)',
    holds: rejectEscapedSlashes,
  },
  {
    path: '/public%5C..%5Cadmin',
    attack: 'encoded backslash, a separator to some servers',
    setting: 'path_with_escaped_slashes_action: REJECT_REQUEST (%5C too; 400)',
    holds: rejectEscapedSlashes,
  },
  {
    path: '/public%2f..%2fadmin',
    attack: 'lower-case escape variant',
    setting: 'path_with_escaped_slashes_action: REJECT_REQUEST (case-insensitive)',
    holds: rejectEscapedSlashes,
  },
  {
    path: '/%2E%2E/admin',
    attack: 'upper-case escape variant of the dot segment',
    setting: 'normalize_path: true (escapes decoded case-insensitively)',
    holds: normalize,
  },
  {
    path: '/admin#/public',
    attack: 'fragment: a rule on the whole string sees /public',
    setting:
      'Envoy rejects a :path with a fragment (runtime envoy.reloadable_features.http_reject_path_with_fragment, on by ' +
      'default; aspen never turns it off) and normalize_path keeps RBAC on the path before it',
    holds: normalize,
  },
  {
    path: '/admin?role=public',
    attack: 'query string: a rule matching the raw :path would compare the query too',
    setting:
      'RBAC matches url_path (the path without the query), and normalize_path applies to the path part only; the ' +
      'query is never normalised into the path',
    holds: normalize,
  },
];

describe('xds HTTP connection manager hardening', () => {
  describe('path-bypass vectors are normalised or rejected before RBAC matches', () => {
    for (const v of vectors) {
      it(`${v.path}: ${v.attack} — ${v.setting}`, () => {
        for (const hcm of hcms(...everyMode)) expect(v.holds(hcm), hcm.statPrefix).to.equal(true);
      });
    }

    it('paths are not rewritten after the filters ran: no route rewrites, so the app gets the path RBAC checked', () => {
      const resources = translateProxy(proxy(everyMode), config);
      for (const route of resources.routes.flatMap((r) => r.virtualHosts.flatMap((v) => v.routes))) {
        if (route.action?.$case === 'route') {
          expect(route.action.value.prefixRewrite).to.equal('');
          expect(route.action.value.regexRewrite).to.equal(undefined);
        }
      }
    });
  });

  it('a client-sent x-forwarded-client-cert is dropped; Envoy sets it from the verified peer certificate (SANITIZE_SET, subject + URI SAN)', () => {
    for (const hcm of hcms(...everyMode)) {
      expect(hcm.forwardClientCertDetails).to.equal(
        HttpConnectionManager_ForwardClientCertDetails.SANITIZE_SET,
      );
      expect(hcm.setCurrentClientCertDetails).to.include({ subject: true, uri: true });
    }
  });

  it('header names with underscores are refused (headers_with_underscores_action: REJECT_REQUEST), so `x_user` cannot pose as `x-user`', () => {
    for (const hcm of hcms(...everyMode)) {
      expect(hcm.commonHttpProtocolOptions?.headersWithUnderscoresAction).to.equal(
        HttpProtocolOptions_HeadersWithUnderscoresAction.REJECT_REQUEST,
      );
    }
  });

  it('the client address is the TCP peer, never a client-chosen x-forwarded-for entry (use_remote_address, 0 trusted hops)', () => {
    for (const hcm of hcms(...everyMode)) {
      expect(hcm.useRemoteAddress).to.equal(true);
      expect(hcm.xffNumTrustedHops).to.equal(0);
    }
  });

  it('header blocks are bounded: requestValidation.maxHeadersKb (default 60 KiB) and 100 headers', () => {
    const limited = port(8080, {
      enforce: policySet({ requestValidation: { ...policySet().requestValidation, maxHeadersKb: 16 } }),
    });
    const [defaults] = hcms(portWithMtls(8080, 'STRICT'));
    const [small] = hcms(limited);
    expect(defaults?.maxRequestHeadersKb).to.equal(60);
    expect(small?.maxRequestHeadersKb).to.equal(16);
    expect(small?.commonHttpProtocolOptions?.maxHeadersCount).to.equal(100);
  });

  it('slow and idle clients are cut off (request_headers_timeout 10 s, request_timeout 60 s, stream_idle_timeout 300 s)', () => {
    for (const hcm of hcms(...everyMode)) {
      expect(hcm.requestHeadersTimeout?.seconds).to.equal(10);
      expect(hcm.requestTimeout?.seconds).to.equal(60);
      expect(hcm.streamIdleTimeout?.seconds).to.equal(300);
    }
  });

  it('the proxy does not announce itself (server_header_transformation: PASS_THROUGH) and ignores Host ports (strip_any_host_port)', () => {
    for (const hcm of hcms(...everyMode)) {
      expect(hcm.serverHeaderTransformation).to.equal(
        HttpConnectionManager_ServerHeaderTransformation.PASS_THROUGH,
      );
      expect(hcm.stripPortMode).to.deep.equal({ $case: 'stripAnyHostPort', value: true });
    }
  });

  it('routes come over RDS (ADS), one route configuration per port, and the router is the last HTTP filter', () => {
    for (const hcm of hcms(...everyMode)) {
      expect(hcm.routeSpecifier?.$case).to.equal('rds');
      expect(hcm.routeSpecifier?.$case === 'rds' && hcm.routeSpecifier.value.routeConfigName).to.equal(
        `inbound|${hcm.statPrefix.slice('inbound_'.length)}`,
      );
      expect(hcm.httpFilters.at(-1)?.name).to.equal('envoy.filters.http.router');
    }
  });
});
