import { expect } from 'chai';
import type { AdsCall } from '../../src/xds/server/types.js';
import { Node } from '../../src/gen/envoy/config/core/v3/base.js';
import { DiscoveryRequest } from '../../src/gen/envoy/service/discovery/v3/discovery.js';
import { dataPlaneHint, warnOnDataPlaneMismatch } from '../../src/proxyless/node-hint.js';
import { fileModeAuthenticator } from '../../src/xds/server/file-auth.js';
import { recordingLogger } from '../serve/fixtures.js';
import type { LogLine } from '../serve/fixtures.js';

describe('proxyless node hint (diagnostics only)', () => {
  it('a node is proxyless by the bootstrap metadata or a gRPC user agent, else Envoy', () => {
    expect(dataPlaneHint(Node.fromPartial({ metadata: { 'aspen.dev/proxyless': 'true' } }))).to.equal(
      'proxyless',
    );
    expect(dataPlaneHint(Node.fromPartial({ userAgentName: 'grpc-node-js' }))).to.equal('proxyless');
    expect(dataPlaneHint(Node.fromPartial({ userAgentName: 'envoy' }))).to.equal('envoy');
    expect(dataPlaneHint(undefined)).to.equal('envoy');
  });

  it('warns when the node and its workload disagree, and never changes who is accepted', async () => {
    const logs: LogLine[] = [];
    const proxyless = new Map([
      ['shop/orders', true],
      ['shop/legacy', false],
    ]);
    const auth = warnOnDataPlaneMismatch(
      fileModeAuthenticator(),
      (k) => proxyless.get(k),
      recordingLogger(logs),
    );
    const request = (cluster: string, userAgentName: string): DiscoveryRequest =>
      DiscoveryRequest.fromPartial({ node: { id: `${cluster}-1`, cluster, userAgentName } });
    const call = {} as AdsCall;
    expect(await auth(call, request('shop/orders', 'grpc-node-js'))).to.deep.equal({
      proxyKey: 'shop/orders',
    });
    expect(await auth(call, request('shop/legacy', 'envoy'))).to.deep.equal({ proxyKey: 'shop/legacy' });
    expect(logs).to.deep.equal([]);
    expect(await auth(call, request('shop/legacy', 'grpc-node-js'))).to.deep.equal({
      proxyKey: 'shop/legacy',
    });
    expect(logs.map((l) => [l.level, l.fields['proxyKey']])).to.deep.equal([['warn', 'shop/legacy']]);
    expect(await auth(call, request('bad', 'envoy'))).to.be.instanceOf(Error);
  });
});
