import { expect } from 'chai';
import { Metadata } from '@grpc/grpc-js';
import type { WorkloadIdentity } from '../../../src/ca/types.js';
import { DiscoveryRequest } from '../../../src/gen/envoy/service/discovery/v3/discovery.js';
import { tokenAuthenticator } from '../../../src/xds/sds/token-auth.js';
import type { TokenProxyIdentity } from '../../../src/xds/sds/token-auth.js';
import type { AdsCall } from '../../../src/xds/server/types.js';

const TOKENS: Record<string, WorkloadIdentity> = {
  'orders-token': { namespace: 'shop', serviceAccount: 'orders' },
  'payments-token': { namespace: 'shop', serviceAccount: 'payments' },
};
const WORKLOADS: Record<string, WorkloadIdentity> = {
  'shop/orders': { namespace: 'shop', serviceAccount: 'orders' },
  'shop/orders-canary': { namespace: 'shop', serviceAccount: 'orders' },
  'shop/payments': { namespace: 'shop', serviceAccount: 'payments' },
};

const authenticate = tokenAuthenticator({
  verifyToken: (token) =>
    Promise.resolve(TOKENS[token] ?? new Error(`TokenReview: token ${token} is not authenticated`)),
  serviceAccountOf: (key) => WORKLOADS[key],
});

function call(...authorization: string[]): AdsCall {
  const metadata = new Metadata();
  for (const value of authorization) metadata.add('authorization', value);
  return { metadata } as unknown as AdsCall;
}

function request(cluster: string | undefined): DiscoveryRequest {
  return DiscoveryRequest.fromPartial(
    cluster === undefined ? {} : { node: { id: 'shop/orders-1', cluster } },
  );
}

async function refusal(result: Promise<unknown>): Promise<string> {
  const value = await result;
  expect(value).to.be.instanceOf(Error);
  return (value as Error).message;
}

describe('sds tokenAuthenticator', () => {
  it('accepts a verified token for a workload running as that ServiceAccount', async () => {
    const result = (await authenticate(
      call('Bearer orders-token'),
      request('shop/orders'),
    )) as TokenProxyIdentity;
    expect(result.proxyKey).to.equal('shop/orders');
    expect(result.identity).to.deep.equal({
      namespace: 'shop',
      serviceAccount: 'orders',
      authenticatedBy: 'token',
    });
    const canary = (await authenticate(
      call('bearer  orders-token'),
      request('shop/orders-canary'),
    )) as TokenProxyIdentity;
    expect(canary.proxyKey).to.equal('shop/orders-canary');
  });

  it("refuses a proxy claiming another workload's node.cluster", async () => {
    const message = await refusal(authenticate(call('Bearer orders-token'), request('shop/payments')));
    expect(message).to.include('serviceaccount shop/orders may not act for workload shop/payments');
    expect(await refusal(authenticate(call('Bearer orders-token'), request('other/orders')))).to.include(
      'may not act',
    );
  });

  it('refuses missing, malformed, duplicated and unverified tokens, never echoing them', async () => {
    expect(await refusal(authenticate(call(), request('shop/orders')))).to.include('no authorization');
    expect(await refusal(authenticate(call('Basic orders-token'), request('shop/orders')))).not.to.include(
      'orders-token',
    );
    expect(await refusal(authenticate(call('Bearer a', 'Bearer b'), request('shop/orders')))).to.include(
      'more than one',
    );
    const unverified = await refusal(authenticate(call('Bearer s3cret-value'), request('shop/orders')));
    expect(unverified).to.include('token refused');
    expect(unverified).not.to.include('s3cret-value');
  });

  it('refuses unknown workloads and requests without a proper node', async () => {
    expect(await refusal(authenticate(call('Bearer orders-token'), request('shop/ghost')))).to.include(
      'unknown workload',
    );
    expect(await refusal(authenticate(call('Bearer orders-token'), request(undefined)))).to.include(
      'node.cluster',
    );
    expect(await refusal(authenticate(call('Bearer orders-token'), request('orders')))).to.include(
      'node.cluster',
    );
  });

  it('treats a throwing verifier as a refusal', async () => {
    const throwing = tokenAuthenticator({
      verifyToken: () => Promise.reject(new Error('apiserver down, token=orders-token')),
      serviceAccountOf: (key) => WORKLOADS[key],
    });
    const message = await refusal(throwing(call('Bearer orders-token'), request('shop/orders')));
    expect(message).not.to.include('orders-token');
  });
});
