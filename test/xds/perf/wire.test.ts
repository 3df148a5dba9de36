// ADR 0026: responses serialised from cached resource encodings decode to exactly the response that was built.
import { expect } from 'chai';
import { Cluster } from '../../../src/gen/envoy/config/cluster/v3/cluster.js';
import { DiscoveryResponse } from '../../../src/gen/envoy/service/discovery/v3/discovery.js';
import { buildTypeSnapshot } from '../../../src/xds/cache/snapshot.js';
import { packAny } from '../../../src/xds/proto/any.js';
import { buildResponse } from '../../../src/xds/server/response.js';
import { serializeDiscoveryResponse } from '../../../src/xds/server/wire.js';

const CDS = 'type.googleapis.com/envoy.config.cluster.v3.Cluster';
const type = buildTypeSnapshot(
  CDS,
  ['a', 'b', 'c'].map((name) => ({ name, encoded: packAny(Cluster.fromPartial({ name })) })),
);

describe('xds/server wire: cached response encodings', () => {
  it('a wildcard response decodes to the response built, nonce and version included', () => {
    const { response } = buildResponse(type, { wildcard: true, names: [] }, '7');
    const decoded = DiscoveryResponse.decode(serializeDiscoveryResponse(response));
    expect(decoded).to.deep.equal(DiscoveryResponse.decode(DiscoveryResponse.encode(response).finish()));
    expect(decoded.resources.map((r) => Cluster.decode(r.value).name)).to.deep.equal(['a', 'b', 'c']);
    expect(decoded.nonce).to.equal('7');
    expect(decoded.versionInfo).to.equal(type.version);
  });

  it('a named subscription carries only its names, and differs per nonce only in the nonce', () => {
    const one = buildResponse(type, { wildcard: false, names: ['b'] }, '8').response;
    const two = buildResponse(type, { wildcard: false, names: ['b'] }, '9').response;
    const first = DiscoveryResponse.decode(serializeDiscoveryResponse(one));
    const second = DiscoveryResponse.decode(serializeDiscoveryResponse(two));
    expect(first.resources.map((r) => Cluster.decode(r.value).name)).to.deep.equal(['b']);
    expect({ ...second, nonce: '8' }).to.deep.equal(first);
    const other = buildResponse(type, { wildcard: false, names: ['a', 'c'] }, '10').response;
    const names = DiscoveryResponse.decode(serializeDiscoveryResponse(other)).resources.map(
      (r) => Cluster.decode(r.value).name,
    );
    expect(names).to.deep.equal(['a', 'c']);
  });

  it('a response built elsewhere is encoded as is', () => {
    const response = DiscoveryResponse.fromPartial({ typeUrl: CDS, nonce: '1', resources: [] });
    expect(DiscoveryResponse.decode(serializeDiscoveryResponse(response))).to.deep.equal(response);
  });
});
