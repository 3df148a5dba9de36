import { expect } from 'chai';
import { snapshot } from '../fixtures/snapshot.js';
import { portOf, proxyOf, run } from '../fixtures/translate.js';

const MESH_DEFAULTS = {
  mtls: 'STRICT',
  authorization: { defaultAction: 'Deny', rules: [] },
  rateLimits: [],
  requestValidation: { requiredHeaders: [], allowPathParameters: false, openapi: [] },
};

const readOnly = {
  mtls: { mode: 'STRICT' },
  authorization: { rules: [{ name: 'read', to: { methods: ['GET'] } }] },
};

describe('translate: mesh defaults and Audit mode', () => {
  it('gives a port no policy covers the mesh defaults: STRICT mTLS, deny everything', () => {
    const result = run(snapshot().workload('shop', 'orders', {}, [8080]));
    const port = portOf(result, 'shop/orders', 8080);
    expect(port.enforce).to.deep.equal(MESH_DEFAULTS);
    expect(port.audit).to.equal(undefined);
    expect(port.policies).to.deep.equal([]);
    expect(port.failClosed).to.deep.equal([]);
    expect(port.accessLog).to.deep.equal({
      enabled: true,
      redactHeaders: ['authorization', 'cookie', 'proxy-authorization'],
    });
    expect(proxyOf(result, 'shop/orders').policies).to.deep.equal([]);
  });

  it('gives a workload without TCP ports a proxy without ports', () => {
    const result = run(snapshot().workload('shop', 'dns', {}, [{ port: 53, protocol: 'UDP' }]));
    expect(proxyOf(result, 'shop/dns').ports).to.deep.equal([]);
  });

  it('only Audit policies: nothing is blocked, and the audit set carries what they would enforce', () => {
    const result = run(
      snapshot()
        .workload('shop', 'orders', {}, [8080])
        .policy('shop', 'watch', { selector: {}, mode: 'Audit', ...readOnly }),
    );
    const port = portOf(result, 'shop/orders', 8080);
    expect(port.enforce).to.deep.equal({
      mtls: 'PERMISSIVE',
      authorization: { defaultAction: 'Allow', rules: [] },
      rateLimits: [],
      requestValidation: { requiredHeaders: [], allowPathParameters: true, openapi: [] },
    });
    expect(port.audit?.mtls).to.equal('STRICT');
    expect(port.audit?.authorization.defaultAction).to.equal('Deny');
    expect(port.audit?.authorization.rules.map((r) => r.id)).to.deep.equal(['shop/watch/read']);
    expect(port.policies).to.deep.equal(['shop/watch']);
  });

  it('Audit and Enforce on one port: each mode is merged on its own', () => {
    const result = run(
      snapshot()
        .workload('shop', 'orders', {}, [8080])
        .policy('shop', 'enforce', {
          selector: {},
          mtls: { mode: 'PERMISSIVE' },
          authorization: { defaultAction: 'Allow' },
        })
        .policy('shop', 'watch', { selector: {}, mode: 'Audit', ...readOnly }),
    );
    const port = portOf(result, 'shop/orders', 8080);
    expect(port.enforce.mtls).to.equal('PERMISSIVE');
    expect(port.enforce.authorization).to.deep.equal({ defaultAction: 'Allow', rules: [] });
    expect(port.audit?.mtls).to.equal('STRICT');
    expect(port.audit?.authorization.rules.map((r) => r.id)).to.deep.equal(['shop/watch/read']);
    expect(port.policies).to.deep.equal(['shop/enforce', 'shop/watch']);
  });

  it('an Audit policy on one port leaves the other ports on mesh defaults', () => {
    const result = run(
      snapshot()
        .workload('shop', 'orders', {}, [8080, 9090])
        .policy('shop', 'watch', { selector: {}, ports: [8080], mode: 'Audit' }),
    );
    expect(portOf(result, 'shop/orders', 9090).enforce).to.deep.equal(MESH_DEFAULTS);
  });
});
