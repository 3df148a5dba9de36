/**
 * aspen's checker and Envoy's own PGV validators (the Go program behind test/tools/envoy-validate.ts) must give the
 * same verdict on each resource. Where they could differ, aspen's is the stricter one:
 * - an Any whose type is not in aspen's generated set is a violation for aspen, while the Go checker (every Envoy
 *   type registered) may accept it;
 * - PGV `pattern`s and `safe_regex` are checked with a conservative RE2 syntax check that rejects some valid RE2;
 * - references (clusters, routes, SDS names, JWT providers, router last, duplicate chain matches) are checked by
 *   `checkResources` only: PGV has no such rules. Those cases are in references.test.ts, not compared here.
 */
import { expect } from 'chai';
import { HeaderValueOption } from '../../../src/gen/envoy/config/core/v3/base.js';
import { DirectResponseAction } from '../../../src/gen/envoy/config/route/v3/route_components.js';
import { Cluster } from '../../../src/gen/envoy/config/cluster/v3/cluster.js';
import { ClusterLoadAssignment } from '../../../src/gen/envoy/config/endpoint/v3/endpoint.js';
import { JwtAuthentication } from '../../../src/gen/envoy/extensions/filters/http/jwt_authn/v3/config.js';
import { checkMessage } from '../../../src/xds/check/message.js';
import { formatViolation } from '../../../src/xds/check/violation.js';
import { packAny } from '../../../src/xds/proto/any.js';
import { toCanonicalJson } from '../../../src/xds/proto/json.js';
import { typeUrlOf } from '../../../src/xds/proto/registry.js';
import type { UnknownMessage } from '../../../src/xds/proto/registry.js';
import { validateWithEnvoy } from '../../tools/envoy-validate.js';
import type { EnvoyValidation } from '../../tools/envoy-validate.js';
import { cluster, hcm, listener, routerFilter, routes } from './fixtures.js';

function endpoints(address: string, port?: number): ClusterLoadAssignment {
  const socket = {
    address,
    portSpecifier: port === undefined ? undefined : { $case: 'portValue' as const, value: port },
  };
  return ClusterLoadAssignment.fromPartial({
    clusterName: 'local_app',
    endpoints: [
      {
        lbEndpoints: [
          {
            hostIdentifier: {
              $case: 'endpoint',
              value: { address: { address: { $case: 'socketAddress', value: socket } } },
            },
          },
        ],
      },
    ],
  });
}

function jwtListener(timeout: boolean): UnknownMessage {
  const jwt = JwtAuthentication.fromPartial({
    providers: {
      idp: {
        issuer: 'https://idp',
        jwksSourceSpecifier: {
          $case: 'remoteJwks',
          value: {
            httpUri: {
              uri: 'https://idp/jwks',
              httpUpstreamType: { $case: 'cluster', value: 'idp' },
              timeout: timeout ? { seconds: 5 } : undefined,
            },
          },
        },
      },
    },
  });
  const filter = {
    name: 'envoy.filters.http.jwt_authn',
    configType: { $case: 'typedConfig' as const, value: packAny(jwt) },
  };
  return listener([hcm({ httpFilters: [filter, routerFilter()] })]);
}

function routesWith(edit: (r: ReturnType<typeof routes>) => void): UnknownMessage {
  const r = routes();
  edit(r);
  return r;
}

function firstRoute(
  r: ReturnType<typeof routes>,
): NonNullable<ReturnType<typeof routes>['virtualHosts'][0]['routes'][0]> {
  const route = r.virtualHosts[0]?.routes[0];
  if (route === undefined) throw new Error('fixture has no route');
  return route;
}

/** A cluster with an HTTP health check on `path` using `method` (CONNECT = 6 is not allowed). */
function healthChecked(path: string, method: number): UnknownMessage {
  return Cluster.fromPartial({
    ...cluster(),
    healthChecks: [
      {
        timeout: { seconds: 1 },
        interval: { seconds: 5 },
        unhealthyThreshold: 2,
        healthyThreshold: 1,
        healthChecker: { $case: 'httpHealthCheck', value: { path, method } },
      },
    ],
  });
}

/** [description, resource, expected valid]. */
const CASES: [string, UnknownMessage, boolean][] = [
  ['valid listener (HCM → router)', listener(), true],
  ['valid route configuration', routes(), true],
  ['valid cluster', cluster(), true],
  ['valid endpoints', endpoints('10.0.0.1', 8080), true],
  ['valid listener with jwt_authn (Any in Any)', jwtListener(true), true],
  ['valid cluster with an HTTP health check', healthChecked('/healthz', 1), true],
  ['health check path with a control character, method CONNECT', healthChecked('/a\x01', 6), false],
  ['HCM stat_prefix empty (inside an Any)', listener([hcm({ statPrefix: '' })]), false],
  [
    'listener port above 65535',
    listener([hcm()], {
      address: {
        address: {
          $case: 'socketAddress',
          value: { address: '0.0.0.0', portSpecifier: { $case: 'portValue', value: 70000 } },
        },
      },
    }),
    false,
  ],
  ['JWKS http_uri without timeout (Any in Any)', jwtListener(false), false],
  [
    'cluster connect_timeout zero',
    {
      ...cluster(),
      connectTimeout: { $type: 'google.protobuf.Duration', seconds: 0, nanos: 0 },
    } as UnknownMessage,
    false,
  ],
  ['cluster lb_policy undefined enum value', { ...cluster(), lbPolicy: 99 } as UnknownMessage, false],
  ['endpoint address empty and no port', endpoints(''), false],
  [
    'virtual host without domains',
    routesWith((r) => {
      const vh = r.virtualHosts[0];
      if (vh) vh.domains = [];
    }),
    false,
  ],
  [
    'domain with a carriage return',
    routesWith((r) => {
      const vh = r.virtualHosts[0];
      if (vh) vh.domains = ['a\r'];
    }),
    false,
  ],
  [
    'direct response status 700',
    routesWith((r) => {
      firstRoute(r).action = {
        $case: 'directResponse',
        value: DirectResponseAction.fromPartial({ status: 700 }),
      };
    }),
    false,
  ],
  [
    'path_separated_prefix ending in /',
    routesWith((r) => {
      const match = firstRoute(r).match;
      if (match) match.pathSpecifier = { $case: 'pathSeparatedPrefix', value: '/api/' };
    }),
    false,
  ],
  [
    'request header to add without header',
    routesWith((r) => {
      r.requestHeadersToAdd = [HeaderValueOption.fromPartial({})];
    }),
    false,
  ],
];

describe('xds/check agrees with Envoy’s own PGV validators (Go)', function () {
  let verdicts: EnvoyValidation[] = [];

  before(async function () {
    this.timeout(300000);
    const json = CASES.map(([, message]) => {
      const typeUrl = typeUrlOf(message.$type);
      return { '@type': typeUrl, ...(toCanonicalJson(typeUrl, message) as object) };
    });
    verdicts = await validateWithEnvoy(json);
  });

  CASES.forEach(([description, message, valid], i) => {
    it(`${valid ? 'valid' : 'invalid'}: ${description}`, () => {
      const ours = checkMessage(message.$type, message).map(formatViolation);
      const go = verdicts[i];
      expect(go?.ok, `Go checker: ${JSON.stringify(go?.errors)}`).to.equal(valid);
      expect(ours.length === 0, `aspen: ${JSON.stringify(ours)}`).to.equal(valid);
      expect(ours.length, `aspen ${JSON.stringify(ours)} vs Go ${JSON.stringify(go?.errors)}`).to.equal(
        go?.errors?.length ?? 0,
      );
    });
  });
});
