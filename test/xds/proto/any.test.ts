import { expect } from 'chai';
import { Listener } from '../../../src/gen/envoy/config/listener/v3/listener.js';
import { Router } from '../../../src/gen/envoy/extensions/filters/http/router/v3/router.js';
import { HttpConnectionManager } from '../../../src/gen/envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.js';
import { Any, packAny, unpackAny, unpackAnyAs } from '../../../src/xds/proto/any.js';
import { UnknownMessageTypeError } from '../../../src/xds/proto/registry.js';
import { HCM_TYPE_URL, ROUTER_TYPE_URL, httpConnectionManager, listener, router } from './fixtures.js';

/** The typed_config of the first filter of the first chain, or of the first HTTP filter. */
function typedConfig(configType: { $case: string; value: unknown } | undefined): Any {
  expect(configType?.$case).to.equal('typedConfig');
  return configType?.value as Any;
}

describe('xds/proto any', () => {
  it('packs by type URL type.googleapis.com/<full name>', () => {
    const any = packAny(router());
    expect(any.$type).to.equal('google.protobuf.Any');
    expect(any.typeUrl).to.equal(ROUTER_TYPE_URL);
    expect(Router.decode(any.value)).to.deep.equal(router());
  });

  it('round-trips a Listener holding an HttpConnectionManager holding a Router through bytes', () => {
    const decoded = Listener.decode(Listener.encode(listener()).finish());
    expect(decoded).to.deep.equal(listener());

    const hcmAny = typedConfig(decoded.filterChains[0]?.filters[0]?.configType);
    expect(hcmAny.typeUrl).to.equal(HCM_TYPE_URL);
    const hcm = unpackAnyAs(hcmAny, HttpConnectionManager);
    expect(hcm).to.deep.equal(httpConnectionManager());
    expect(hcm.requestTimeout).to.deep.include({ seconds: 1, nanos: 500_000_000 });

    const routerAny = typedConfig(hcm.httpFilters[0]?.configType);
    expect(unpackAny(routerAny)).to.deep.equal(router());
    expect(unpackAnyAs(routerAny, Router).suppressEnvoyHeaders).to.equal(true);
  });

  it('refuses to unpack an Any as another type, naming both', () => {
    expect(() => unpackAnyAs(packAny(router()), HttpConnectionManager)).to.throw(
      'Any holds envoy.extensions.filters.http.router.v3.Router, expected ' +
        'envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
    );
  });

  it('gives a clear error for a type URL not in the generated set', () => {
    const any = Any.fromPartial({
      typeUrl: 'type.googleapis.com/envoy.extensions.filters.http.nope.v3.Nope',
    });
    expect(() => unpackAny(any))
      .to.throw(UnknownMessageTypeError, 'unknown message type "envoy.extensions.filters.http.nope.v3.Nope"')
      .with.property('typeName', 'envoy.extensions.filters.http.nope.v3.Nope');
    expect(() => packAny({ $type: 'acme.v1.Widget' })).to.throw(UnknownMessageTypeError, '"acme.v1.Widget"');
    expect(() => unpackAny(Any.fromPartial({}))).to.throw(UnknownMessageTypeError, 'unknown type URL ""');
  });
});
