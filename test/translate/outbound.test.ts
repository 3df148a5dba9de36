import { expect } from 'chai';
import { snapshot } from '../fixtures/snapshot.js';
import { proxyOf, run } from '../fixtures/translate.js';

const mtls = (mode: string): Record<string, unknown> => ({
  selector: { matchLabels: { app: 'api' } },
  mtls: { mode },
});

describe('outbound services', () => {
  it('uses mTLS towards a service unless every workload behind the port disables it', () => {
    const base = (): ReturnType<typeof snapshot> =>
      snapshot()
        .workload('shop', 'api-v1', { app: 'api', v: '1' }, [8080])
        .workload('shop', 'api-v2', { app: 'api', v: '2' }, [8080])
        .service('shop', 'api', { app: 'api' }, [[80, 8080]]);
    const port = (b: ReturnType<typeof snapshot>): unknown =>
      proxyOf(run(b), 'shop/api-v1').outbound[0]?.ports[0];

    expect(port(base())).to.include({ tls: true });
    expect(port(base().policy('shop', 'plain', mtls('DISABLE')))).to.include({ tls: false });
    const mixed = base().policy('shop', 'plain', {
      ...mtls('DISABLE'),
      selector: { matchLabels: { v: '1' } },
    });
    expect(port(mixed)).to.include({ tls: true });
  });

  it('names the identities a client must accept from the server certificate', () => {
    const result = run(
      snapshot()
        .workload('shop', 'api', { app: 'api' }, [8080])
        .serviceAccount('api')
        .service('shop', 'api', { app: 'api' }, [[80, 8080]]),
    );
    const [service] = proxyOf(result, 'shop/api').outbound;
    expect(service?.host).to.equal('api.shop.svc.cluster.local');
    expect(service?.ports[0]?.identities).to.deep.equal(['spiffe://cluster.local/ns/shop/sa/api']);
  });

  it('leaves out services whose target port no workload exposes from the destinations', () => {
    const result = run(
      snapshot()
        .workload('shop', 'api', { app: 'api' }, [8080])
        .service('shop', 'api', { app: 'api' }, [[80, 9999]]),
    );
    expect(proxyOf(result, 'shop/api').outbound[0]?.ports[0]?.destinations).to.deep.equal([]);
  });
});
