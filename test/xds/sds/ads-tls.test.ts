// The pieces together over loopback: the xDS server on TLS credentials from aspen's CA, the token authenticator, and
// each proxy's SDS secrets in the snapshot cache. A proxy gets its own secrets only; others are refused.
import { expect } from 'chai';
import { Metadata, credentials, status } from '@grpc/grpc-js';
import type { StatusObject } from '@grpc/grpc-js';
import { generateRootCa } from '../../../src/ca/root.js';
import { newCaState, trustBundle } from '../../../src/ca/state.js';
import type { CaState, Clock, WorkloadIdentity } from '../../../src/ca/types.js';
import { AggregatedDiscoveryServiceClient } from '../../../src/gen/envoy/service/discovery/v3/ads.js';
import { DiscoveryRequest } from '../../../src/gen/envoy/service/discovery/v3/discovery.js';
import type { DiscoveryResponse } from '../../../src/gen/envoy/service/discovery/v3/discovery.js';
import { Secret } from '../../../src/gen/envoy/extensions/transport_sockets/tls/v3/secret.js';
import { SnapshotCache } from '../../../src/xds/cache/cache.js';
import { unpackAnyAs } from '../../../src/xds/proto/any.js';
import { AdsService, XdsServer, silentLogger } from '../../../src/xds/server/index.js';
import { xdsServerCredentials } from '../../../src/xds/sds/credentials.js';
import { SECRET_TYPE_URL, encodeSecrets, proxySecrets } from '../../../src/xds/sds/secrets.js';
import { tokenAuthenticator } from '../../../src/xds/sds/token-auth.js';
import { unwrap } from '../../ca/fixtures.js';

const now: Clock = () => new Date();
const ACCOUNTS: Record<string, WorkloadIdentity> = {
  'shop/orders': { namespace: 'shop', serviceAccount: 'orders' },
  'shop/payments': { namespace: 'shop', serviceAccount: 'payments' },
};
const TOKENS: Record<string, WorkloadIdentity> = {
  't-orders': { namespace: 'shop', serviceAccount: 'orders' },
};

type Outcome = { response: DiscoveryResponse } | { status: StatusObject };

function openStream(port: number, ca: CaState, cluster: string, token?: string): Promise<Outcome> {
  const client = new AggregatedDiscoveryServiceClient(
    `localhost:${port}`,
    credentials.createSsl(Buffer.from(trustBundle(ca, now))),
  );
  const metadata = new Metadata();
  if (token !== undefined) metadata.add('authorization', `Bearer ${token}`);
  const call = client.streamAggregatedResources(metadata, { deadline: Date.now() + 5000 });
  return new Promise<Outcome>((resolve) => {
    call.on('data', (response: DiscoveryResponse) => {
      resolve({ response });
      call.cancel();
    });
    call.on('error', () => undefined);
    call.on('status', (s: StatusObject) => resolve({ status: s }));
    call.write(
      DiscoveryRequest.fromPartial({ node: { id: `${cluster}-1`, cluster }, typeUrl: SECRET_TYPE_URL }),
    );
  }).finally(() => client.close());
}

describe('sds over the TLS xDS server with token authentication', () => {
  let ca: CaState;
  let server: XdsServer;
  let port: number;

  before(async () => {
    ca = newCaState(unwrap(await generateRootCa({ trustDomain: 'cluster.local', clock: now })));
    const cache = new SnapshotCache();
    for (const [key, account] of Object.entries(ACCOUNTS)) {
      const issued = unwrap(await proxySecrets(ca, account, now, () => 0.5));
      cache.setSnapshot(key, { [SECRET_TYPE_URL]: encodeSecrets(issued.secrets) });
    }
    const authenticate = tokenAuthenticator({
      verifyToken: (token) => Promise.resolve(TOKENS[token] ?? new Error('not authenticated')),
      serviceAccountOf: (key) => ACCOUNTS[key],
    });
    server = new XdsServer(new AdsService({ cache, authenticate, logger: silentLogger }), silentLogger);
    const tls = unwrap(await xdsServerCredentials(ca, { dnsNames: ['localhost'] }, now));
    port = await server.listen('127.0.0.1:0', tls.credentials);
  });

  after(async () => {
    await server.close(100);
  });

  it("serves an authenticated proxy its own workload's certificate and trust bundle", async () => {
    const outcome = await openStream(port, ca, 'shop/orders', 't-orders');
    if (!('response' in outcome)) throw new Error(`refused: ${outcome.status.details}`);
    const secrets = outcome.response.resources.map((any) => unpackAnyAs(any, Secret));
    expect(secrets.map((s) => s.name).sort()).to.deep.equal(['ROOTCA', 'default']);
    const cert = secrets.find((s) => s.name === 'default');
    if (cert?.type?.$case !== 'tlsCertificate') throw new Error('no tls certificate');
    const chain = cert.type.value.certificateChain?.specifier;
    expect(chain?.$case).to.equal('inlineString');
  });

  it('refuses a proxy without a token, and one claiming another workload', async () => {
    for (const [cluster, token] of [
      ['shop/orders', undefined],
      ['shop/payments', 't-orders'],
      ['shop/orders', 't-unknown'],
    ] as const) {
      const outcome = await openStream(port, ca, cluster, token);
      expect('status' in outcome && outcome.status.code, `${cluster} ${token}`).to.equal(
        status.UNAUTHENTICATED,
      );
    }
  });
});
