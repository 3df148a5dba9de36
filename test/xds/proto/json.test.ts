import { expect } from 'chai';
import { HttpProtocolOptions } from '../../../src/gen/envoy/config/core/v3/protocol.js';
import { Metadata } from '../../../src/gen/envoy/config/core/v3/base.js';
import { RateLimitDescriptor } from '../../../src/gen/envoy/extensions/common/ratelimit/v3/ratelimit.js';
import { Router } from '../../../src/gen/envoy/extensions/filters/http/router/v3/router.js';
import { Int64Range } from '../../../src/gen/envoy/type/v3/range.js';
import { Duration } from '../../../src/gen/google/protobuf/duration.js';
import { Any, packAny } from '../../../src/xds/proto/any.js';
import type { JsonValue } from '../../../src/xds/proto/json.js';
import { toCanonicalJson } from '../../../src/xds/proto/json.js';
import { typeUrlOf } from '../../../src/xds/proto/registry.js';
import type { UnknownMessage } from '../../../src/xds/proto/registry.js';
import { LISTENER_JSON, LISTENER_TYPE_URL, ROUTER_TYPE_URL, listener } from './fixtures.js';

function json(message: UnknownMessage): JsonValue {
  return toCanonicalJson(typeUrlOf(message.$type), message);
}

/** Every object in the JSON that has an "@type" key, in document order. */
function typedObjects(value: unknown): Record<string, unknown>[] {
  if (Array.isArray(value)) {
    return value.flatMap(typedObjects);
  }
  if (value === null || typeof value !== 'object') {
    return [];
  }
  const object = value as Record<string, unknown>;
  const own = '@type' in object ? [object] : [];
  return [...own, ...Object.values(object).flatMap(typedObjects)];
}

describe('xds/proto canonical JSON', () => {
  it('prints the listener exactly as protojson does, with @type expanded in each Any', () => {
    const out = toCanonicalJson(LISTENER_TYPE_URL, listener());
    expect(out).to.deep.equal(LISTENER_JSON);
    const typed = typedObjects(out);
    expect(typed.map((o) => o['@type'])).to.deep.equal([
      'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
      ROUTER_TYPE_URL,
    ]);
    for (const object of typed) {
      expect(Object.keys(object)[0]).to.equal('@type');
    }
  });

  it('is stable: the same message prints the same bytes', () => {
    expect(JSON.stringify(json(listener()))).to.equal(JSON.stringify(json(listener())));
  });

  it('prints Duration as seconds with 0, 3, 6 or 9 fraction digits', () => {
    const cases: [Partial<Duration>, string][] = [
      [{ seconds: 5 }, '5s'],
      [{ seconds: 1, nanos: 500_000_000 }, '1.500s'],
      [{ nanos: 1_000 }, '0.000001s'],
      [{ nanos: 1 }, '0.000000001s'],
      [{ seconds: -1, nanos: -500_000_000 }, '-1.500s'],
      [{}, '0s'],
    ];
    for (const [duration, text] of cases) {
      expect(json(Duration.fromPartial(duration))).to.equal(text);
      expect(json(HttpProtocolOptions.fromPartial({ idleTimeout: duration }))).to.deep.equal({
        idleTimeout: text,
      });
    }
  });

  it('prints wrappers as plain values, 64-bit integers as strings, Struct as plain JSON', () => {
    expect(
      json(HttpProtocolOptions.fromPartial({ maxHeadersCount: 100, maxRequestsPerConnection: 0 })),
    ).to.deep.equal({
      maxHeadersCount: 100,
      maxRequestsPerConnection: 0,
    });
    expect(json(Router.fromPartial({ dynamicStats: false }))).to.deep.equal({ dynamicStats: false });
    expect(
      json(RateLimitDescriptor.fromPartial({ entries: [{ key: 'k', value: 'v' }], hitsAddend: 5 })),
    ).to.deep.equal({ entries: [{ key: 'k', value: 'v' }], hitsAddend: '5' });
    expect(json(Int64Range.fromPartial({ start: 1, end: 9_007_199_254_740_991 }))).to.deep.equal({
      start: '1',
      end: '9007199254740991',
    });
    const metadata = {
      'aspen.dev': { policy: 'shop/orders', rules: ['a', 'b'], weight: 2, on: true, none: null },
    };
    expect(json(Metadata.fromPartial({ filterMetadata: metadata }))).to.deep.equal({
      filterMetadata: metadata,
    });
  });

  it('omits fields holding default values and prints enums by name', () => {
    expect(json(Router.fromPartial({}))).to.deep.equal({});
    expect(json(HttpProtocolOptions.fromPartial({ headersWithUnderscoresAction: 0 }))).to.deep.equal({});
    expect(json(HttpProtocolOptions.fromPartial({ headersWithUnderscoresAction: 2 }))).to.deep.equal({
      headersWithUnderscoresAction: 'DROP_HEADER',
    });
  });

  it('puts a well-known type inside an Any under "value"', () => {
    const any = packAny(Duration.fromPartial({ seconds: 5 }));
    expect(json(any)).to.deep.equal({ '@type': 'type.googleapis.com/google.protobuf.Duration', value: '5s' });
  });

  it('gives a clear error for an unknown type URL, at the top or inside an Any', () => {
    expect(() => toCanonicalJson('type.googleapis.com/acme.v1.Widget', { $type: 'acme.v1.Widget' })).to.throw(
      'unknown message type "acme.v1.Widget"',
    );
    expect(() => toCanonicalJson(ROUTER_TYPE_URL, listener())).to.throw(
      'message is envoy.config.listener.v3.Listener, type URL names envoy.extensions.filters.http.router.v3.Router',
    );
    const unknown = Any.fromPartial({
      typeUrl: 'type.googleapis.com/acme.v1.Widget',
      value: new Uint8Array([8, 1]),
    });
    expect(() => json(Metadata.fromPartial({ typedFilterMetadata: { acme: unknown } }))).to.throw(
      /canonical JSON of envoy\.config\.core\.v3\.Metadata: .*acme\.v1\.Widget/,
    );
  });
});
