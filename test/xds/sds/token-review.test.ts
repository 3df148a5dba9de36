import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { Metadata } from '@grpc/grpc-js';
import { KubeConfig } from '@kubernetes/client-node';
import { DiscoveryRequest } from '../../../src/gen/envoy/service/discovery/v3/discovery.js';
import { tokenAuthenticator } from '../../../src/xds/sds/token-auth.js';
import type { TokenProxyIdentity, VerifyToken } from '../../../src/xds/sds/token-auth.js';
import { tokenReviewVerifier } from '../../../src/xds/sds/token-review.js';
import type { AdsCall } from '../../../src/xds/server/types.js';

const PATH = '/apis/authentication.k8s.io/v1/tokenreviews';
const SECRET = 'eyJhbGciOiJSUzI1NiJ9.s3cret-token-value';

/** What the fake API server answers: a status code and a body. */
interface Canned {
  code: number;
  body: unknown;
}

function review(status: Record<string, unknown>): Canned {
  return {
    code: 201,
    body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: {}, status },
  };
}

const ORDERS = review({
  authenticated: true,
  audiences: ['aspen'],
  user: { username: 'system:serviceaccount:shop:orders' },
});

/** An in-process API server answering TokenReview POSTs with a canned reply, recording what it received. */
class FakeApiServer {
  reply: Canned = ORDERS;
  readonly received: { method: string; url: string; body: unknown }[] = [];
  private readonly server: Server = createServer((req, res) => this.handle(req, res));

  async start(): Promise<KubeConfig> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const port = (this.server.address() as AddressInfo).port;
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromOptions({
      clusters: [{ name: 'fake', server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
      users: [{ name: 'aspen', token: 'aspen-controller-credential' }],
      contexts: [{ name: 'fake', cluster: 'fake', user: 'aspen' }],
      currentContext: 'fake',
    });
    return kubeConfig;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      this.received.push({ method: req.method ?? '', url: req.url ?? '', body: JSON.parse(text) as unknown });
      const canned = req.method === 'POST' && req.url?.startsWith(PATH) === true ? this.reply : notFound;
      res.writeHead(canned.code, { 'content-type': 'application/json' });
      res.end(JSON.stringify(canned.body));
    });
  }
}

const notFound: Canned = { code: 404, body: { kind: 'Status', code: 404 } };

function errorMessage(value: unknown): string {
  expect(value).to.be.instanceOf(Error);
  const message = (value as Error).message;
  expect(message).not.to.include(SECRET);
  expect(message).not.to.include('s3cret');
  return message;
}

describe('sds tokenReviewVerifier', () => {
  const api = new FakeApiServer();
  let kubeConfig: KubeConfig;
  let verify: VerifyToken;

  before(async () => {
    kubeConfig = await api.start();
    verify = tokenReviewVerifier({ kubeConfig, timeoutMs: 10_000 });
  });
  after(() => api.stop());
  beforeEach(() => {
    api.reply = ORDERS;
    api.received.length = 0;
  });

  it('posts a TokenReview with the token and audience aspen, and returns the ServiceAccount', async () => {
    expect(await verify(SECRET)).to.deep.equal({ namespace: 'shop', serviceAccount: 'orders' });
    expect(api.received).to.have.length(1);
    expect(api.received[0]).to.deep.include({ method: 'POST', url: PATH });
    expect(api.received[0]?.body).to.deep.include({
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenReview',
      spec: { token: SECRET, audiences: ['aspen'] },
    });
  });

  it('uses the configured audience', async () => {
    api.reply = review({
      authenticated: true,
      audiences: ['other'],
      user: { username: 'system:serviceaccount:shop:orders' },
    });
    const other = tokenReviewVerifier({ kubeConfig: kubeConfig, audience: 'other' });
    expect(await other(SECRET)).to.deep.equal({ namespace: 'shop', serviceAccount: 'orders' });
    expect(api.received[0]?.body).to.have.nested.property('spec.audiences[0]', 'other');
  });

  it('refuses an unauthenticated token', async () => {
    api.reply = review({ authenticated: false, error: `invalid bearer token ${SECRET}` });
    expect(errorMessage(await verify(SECRET))).to.equal('token not authenticated');
  });

  it('refuses a token bound to another audience (or none)', async () => {
    api.reply = review({
      authenticated: true,
      audiences: ['https://kubernetes.default.svc'],
      user: { username: 'system:serviceaccount:shop:orders' },
    });
    expect(errorMessage(await verify(SECRET))).to.equal('token audience is not aspen');
    api.reply = review({ authenticated: true, user: { username: 'system:serviceaccount:shop:orders' } });
    expect(errorMessage(await verify(SECRET))).to.equal('token audience is not aspen');
  });

  it('refuses a user that is not a ServiceAccount', async () => {
    api.reply = review({
      authenticated: true,
      audiences: ['aspen'],
      user: { username: 'alice@example.com' },
    });
    expect(errorMessage(await verify(SECRET))).to.equal('not a service account: alice@example.com');
    api.reply = review({
      authenticated: true,
      audiences: ['aspen'],
      user: { username: 'system:serviceaccount:shop' },
    });
    expect(errorMessage(await verify(SECRET))).to.include('not a service account');
  });

  it('fails closed on API errors, without the token', async () => {
    api.reply = { code: 500, body: { kind: 'Status', message: `boom on ${SECRET}`, code: 500 } };
    expect(errorMessage(await verify(SECRET))).to.equal('token review failed: 500');
    api.reply = { code: 403, body: { kind: 'Status', message: 'forbidden', code: 403 } };
    expect(errorMessage(await verify(SECRET))).to.equal('token review failed: 403');
  });

  it('fails closed when the API server is unreachable', async () => {
    const gone = new FakeApiServer();
    const goneConfig = await gone.start();
    await gone.stop();
    const message = errorMessage(await tokenReviewVerifier({ kubeConfig: goneConfig })(SECRET));
    expect(message).to.match(/^token review failed: /);
  });

  it('behind tokenAuthenticator: refuses a proxy claiming another workload, accepts its own', async () => {
    const authenticate = tokenAuthenticator({
      verifyToken: verify,
      serviceAccountOf: (key) =>
        ({
          'shop/orders': { namespace: 'shop', serviceAccount: 'orders' },
          'shop/payments': { namespace: 'shop', serviceAccount: 'payments' },
        })[key],
    });
    const metadata = new Metadata();
    metadata.add('authorization', `Bearer ${SECRET}`);
    const call = { metadata } as unknown as AdsCall;
    const node = (cluster: string): DiscoveryRequest =>
      DiscoveryRequest.fromPartial({ node: { id: `${cluster}-1`, cluster } });
    const refused = errorMessage(await authenticate(call, node('shop/payments')));
    expect(refused).to.include('serviceaccount shop/orders may not act for workload shop/payments');
    const accepted = (await authenticate(call, node('shop/orders'))) as TokenProxyIdentity;
    expect(accepted.proxyKey).to.equal('shop/orders');
    expect(accepted.identity.serviceAccount).to.equal('orders');
    api.reply = review({ authenticated: false });
    expect(errorMessage(await authenticate(call, node('shop/orders')))).to.equal(
      'token refused: token not authenticated',
    );
  });
});
