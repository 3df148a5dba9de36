/** Inbound routes: failing closed, and request validation answered before the application sees the request. */
import { expect } from 'chai';
import type { Route } from '../../../src/gen/envoy/config/route/v3/route_components.js';
import type { RequestValidationIR } from '../../../src/ir/index.js';
import { inboundRoutes } from '../../../src/xds/translate/routes.js';
import { policySet, port } from './fixtures.js';
import type { Request } from './simulate.js';
import { matchRoute } from './simulate.js';

/** What a request gets: the status of a direct response, or the cluster it is sent to. */
function outcome(route: Route | undefined): string {
  if (route === undefined) return '404';
  if (route.action?.$case === 'directResponse') return String(route.action.value.status);
  if (route.action?.$case === 'route' && route.action.value.clusterSpecifier?.$case === 'cluster') {
    return route.action.value.clusterSpecifier.value;
  }
  return 'other';
}

const APP = 'inbound-app|8080';

describe('xds inbound routes', () => {
  describe('fail closed (a policy that could not be applied)', () => {
    const routes = inboundRoutes(
      port(8080, {
        enforce: policySet({ authorization: { defaultAction: 'Allow', rules: [] } }),
        failClosed: [{ policy: 'shop/broken', reason: 'Invalid' }],
      }),
    );
    const requests: Request[] = [
      { method: 'GET', path: '/' },
      { method: 'POST', path: '/orders', headers: { 'content-type': 'application/json' } },
      { method: 'DELETE', path: '/admin/users/1' },
      { method: 'GET', path: '/healthz', headers: { authorization: 'Bearer x' } },
    ];

    for (const req of requests) {
      it(`${req.method} ${req.path} is answered 403 (direct_response), even where the policy set would allow it`, () => {
        expect(outcome(matchRoute(routes, req))).to.equal('403');
      });
    }

    it('no route reaches the application, and the body names only the policy', () => {
      const all = routes.virtualHosts.flatMap((v) => v.routes);
      expect(all.map(outcome)).to.deep.equal(['403']);
      const body =
        all[0]?.action?.$case === 'directResponse' ? all[0].action.value.body?.specifier : undefined;
      expect(body).to.deep.equal({
        $case: 'inlineString',
        value: 'denied: policy shop/broken could not be applied\n',
      });
    });
  });

  describe('request validation (route match on headers: invert_match, present_match)', () => {
    const rv: RequestValidationIR = {
      allowedMethods: ['GET', 'POST'],
      allowedContentTypes: ['application/json', 'application/vnd.api+json'],
      requiredHeaders: ['x-tenant'],
      allowPathParameters: false,
      openapi: [],
    };
    const routes = inboundRoutes(port(8080, { enforce: policySet({ requestValidation: rv }) }));
    const tenant = { 'x-tenant': 'acme' };
    const cases: [string, Request, string][] = [
      ['an allowed request reaches the app', { method: 'GET', path: '/orders', headers: tenant }, APP],
      ['a method not allowed: 405', { method: 'DELETE', path: '/orders', headers: tenant }, '405'],
      [
        'method matching is exact: lower-case get is not GET',
        { method: 'get', path: '/orders', headers: tenant },
        '405',
      ],
      [
        'an allowed content type with parameters',
        {
          method: 'POST',
          path: '/orders',
          headers: { ...tenant, 'content-type': 'application/json; charset=utf-8' },
        },
        APP,
      ],
      [
        'media types compare case-insensitively',
        { method: 'POST', path: '/orders', headers: { ...tenant, 'content-type': 'Application/JSON' } },
        APP,
      ],
      [
        'a structured-syntax type is matched literally (the + and . are escaped)',
        {
          method: 'POST',
          path: '/orders',
          headers: { ...tenant, 'content-type': 'application/vnd.api+json' },
        },
        APP,
      ],
      [
        'a type that only starts like an allowed one: 415',
        { method: 'POST', path: '/orders', headers: { ...tenant, 'content-type': 'application/jsonp' } },
        '415',
      ],
      [
        'a content type not allowed: 415',
        { method: 'POST', path: '/orders', headers: { ...tenant, 'content-type': 'text/xml' } },
        '415',
      ],
      [
        'a body without a content type (content-length): 415',
        { method: 'POST', path: '/orders', headers: { ...tenant, 'content-length': '12' } },
        '415',
      ],
      [
        'a chunked body without a content type: 415',
        { method: 'POST', path: '/orders', headers: { ...tenant, 'transfer-encoding': 'chunked' } },
        '415',
      ],
      [
        'an empty body needs no content type',
        { method: 'POST', path: '/orders', headers: { ...tenant, 'content-length': '0' } },
        APP,
      ],
      ['a missing required header: 400', { method: 'GET', path: '/orders' }, '400'],
    ];
    for (const [name, req, expected] of cases) {
      it(name, () => {
        expect(outcome(matchRoute(routes, req))).to.equal(expected);
      });
    }
  });

  it('without request validation every request goes to the local app, with a route timeout', () => {
    const routes = inboundRoutes(port(8080));
    const all = routes.virtualHosts.flatMap((v) => v.routes);
    expect(all.map(outcome)).to.deep.equal([APP]);
    expect(all[0]?.action?.$case === 'route' && all[0].action.value.timeout?.seconds).to.equal(60);
    expect(routes.virtualHosts.map((v) => v.domains)).to.deep.equal([['*']]);
  });
});
