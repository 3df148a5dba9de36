import { expect } from 'chai';
import { HttpConnectionManager } from '../../../src/gen/envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.js';
import { RouteConfiguration } from '../../../src/gen/envoy/config/route/v3/route.js';
import { VirtualHost } from '../../../src/gen/envoy/config/route/v3/route_components.js';
import { Any } from '../../../src/gen/google/protobuf/any.js';
import { checkMessage } from '../../../src/xds/check/message.js';
import { formatViolation } from '../../../src/xds/check/violation.js';
import { packAny } from '../../../src/xds/proto/any.js';
import { hcm, listener, make } from './fixtures.js';

const CORE = 'envoy.config.core.v3';
const ROUTE = 'envoy.config.route.v3';

/** Violations of a message built from a partial, formatted `<path>: <message>`. */
function violations(fullName: string, partial: object): string[] {
  return checkMessage(fullName, make(fullName, partial)).map(formatViolation);
}

const port = (value: number): object => ({
  address: '10.0.0.1',
  portSpecifier: { $case: 'portValue', value },
});

/** [rule kind, full name, passing partial, failing partial, the failing partial's violations]. */
const CASES: [string, string, object, object, string[]][] = [
  [
    'string.min_len',
    `${CORE}.SocketAddress`,
    port(80),
    { portSpecifier: { $case: 'portValue', value: 80 } },
    ['SocketAddress.address: value length must be at least 1 runes'],
  ],
  [
    'uint32.lte',
    `${CORE}.SocketAddress`,
    port(65535),
    port(65536),
    ['SocketAddress.port_value: value must be less than or equal to 65535'],
  ],
  [
    'oneof required',
    `${CORE}.SocketAddress`,
    port(1),
    { address: 'a' },
    ['SocketAddress.port_specifier: value is required'],
  ],
  [
    'enum.defined_only',
    `${CORE}.SocketAddress`,
    { ...port(1), protocol: 1 },
    { ...port(1), protocol: 7 },
    ['SocketAddress.protocol: value must be one of the defined enum values'],
  ],
  [
    'message.required',
    `${CORE}.HeaderValueOption`,
    { header: { key: 'x-a', value: 'b' } },
    {},
    ['HeaderValueOption.header: value is required'],
  ],
  [
    'string.well_known_regex HTTP_HEADER_NAME (lax) and max_bytes',
    `${CORE}.HeaderValue`,
    { key: 'x-a', value: 'b' },
    { key: 'x\na', value: 'v'.repeat(16385) },
    [
      'HeaderValue.key: value does not match regex pattern "^[^\\\\0\\\\n\\\\r]*$"',
      'HeaderValue.value: value length must be at most 16384 bytes',
    ],
  ],
  [
    'string.well_known_regex HTTP_HEADER_VALUE (strict)',
    `${CORE}.HealthCheck.HttpHealthCheck`,
    { path: '/healthz' },
    { path: '/a\x01b' },
    ['HttpHealthCheck.path: value does not match regex pattern "^[^\\\\0-\\\\x08\\\\n-\\\\x1f\\\\x7f]*$"'],
  ],
  [
    'enum.not_in',
    `${CORE}.HealthCheck.HttpHealthCheck`,
    { path: '/', method: 1 },
    { path: '/', method: 6 },
    ['HttpHealthCheck.method: value must not be in list [6]'],
  ],
  [
    'bytes.max_len',
    `${CORE}.HeaderValue`,
    { key: 'a', rawValue: new Uint8Array(16384) },
    { key: 'a', rawValue: new Uint8Array(16385) },
    ['HeaderValue.raw_value: value length must be at most 16384 bytes'],
  ],
  [
    'duration.required, duration.gte/lt',
    `${CORE}.HttpUri`,
    {
      uri: 'https://idp/jwks',
      httpUpstreamType: { $case: 'cluster', value: 'idp' },
      timeout: { seconds: 1 },
    },
    { uri: 'https://idp/jwks', httpUpstreamType: { $case: 'cluster', value: 'idp' } },
    ['HttpUri.timeout: value is required'],
  ],
  [
    'duration range (inside)',
    `${CORE}.HttpUri`,
    { uri: 'u', httpUpstreamType: { $case: 'cluster', value: 'c' }, timeout: { seconds: 0 } },
    { uri: 'u', httpUpstreamType: { $case: 'cluster', value: 'c' }, timeout: { seconds: -1 } },
    ['HttpUri.timeout: value must be inside range [0s, 1193046h28m16s)'],
  ],
  [
    'duration invalid',
    `${CORE}.HttpUri`,
    { uri: 'u', httpUpstreamType: { $case: 'cluster', value: 'c' }, timeout: { seconds: 1, nanos: 5 } },
    { uri: 'u', httpUpstreamType: { $case: 'cluster', value: 'c' }, timeout: { seconds: 1, nanos: -5 } },
    ['HttpUri.timeout: value is not a valid duration'],
  ],
  [
    'duration.gt',
    `${ROUTE}.RetryPolicy.RetryBackOff`,
    { baseInterval: { nanos: 1000000 } },
    { baseInterval: { seconds: 0 } },
    ['RetryBackOff.base_interval: value must be greater than 0s'],
  ],
  [
    'duration outside range (lte 0s, gte 1ms)',
    `${CORE}.QuicKeepAliveSettings`,
    { initialInterval: { seconds: 2 } },
    { initialInterval: { nanos: 500 } },
    ['QuicKeepAliveSettings.initial_interval: value must be outside range (0s, 1ms)'],
  ],
  [
    'repeated.min_items, items.string.well_known_regex',
    `${ROUTE}.VirtualHost`,
    { name: 'v', domains: ['*'] },
    { name: 'v', domains: [] },
    ['VirtualHost.domains: value must contain at least 1 item(s)'],
  ],
  [
    'repeated.items (string)',
    `${ROUTE}.VirtualHost`,
    { name: 'v', domains: ['a.example'] },
    { name: 'v', domains: ['a', 'b\r'] },
    ['VirtualHost.domains[1]: value does not match regex pattern "^[^\\\\0\\\\n\\\\r]*$"'],
  ],
  [
    'repeated.max_items',
    `${ROUTE}.VirtualHost`,
    { name: 'v', domains: ['*'], requestHeadersToAdd: [] },
    {
      name: 'v',
      domains: ['*'],
      requestHeadersToAdd: Array.from({ length: 1001 }, () => ({ header: { key: 'a' } })),
    },
    ['VirtualHost.request_headers_to_add: value must contain no more than 1000 item(s)'],
  ],
  [
    'repeated.unique',
    `${ROUTE}.InternalRedirectPolicy`,
    { responseHeadersToCopy: ['a', 'b'] },
    { responseHeadersToCopy: ['a', 'a'] },
    ['InternalRedirectPolicy.response_headers_to_copy: repeated value must contain unique items'],
  ],
  [
    'string.in',
    `${CORE}.SchemeHeaderTransformation`,
    { transformation: { $case: 'schemeToOverwrite', value: 'https' } },
    { transformation: { $case: 'schemeToOverwrite', value: 'ftp' } },
    ['SchemeHeaderTransformation.scheme_to_overwrite: value must be in list [http https]'],
  ],
  [
    'string.pattern',
    `${ROUTE}.RouteMatch`,
    { pathSpecifier: { $case: 'pathSeparatedPrefix', value: '/api' } },
    { pathSpecifier: { $case: 'pathSeparatedPrefix', value: '/api/' } },
    ['RouteMatch.path_separated_prefix: value does not match regex pattern "^[^?#]+[^?#/]$"'],
  ],
  [
    'string.prefix/suffix, ignore_empty, uint64.lte',
    `${ROUTE}.RateLimit.HitsAddend`,
    { format: '', number: 1000000000 },
    { format: 'x', number: 1000000001 },
    [
      'HitsAddend.number: value must be less than or equal to 1000000000',
      'HitsAddend.format: value does not have prefix "%"',
      'HitsAddend.format: value does not have suffix "%"',
    ],
  ],
  [
    'bool.const',
    'envoy.extensions.filters.http.jwt_authn.v3.PerRouteConfig',
    { requirementSpecifier: { $case: 'disabled', value: true } },
    { requirementSpecifier: { $case: 'disabled', value: false } },
    ['PerRouteConfig.disabled: value must equal true'],
  ],
  [
    'double.gte/lte',
    'envoy.config.cluster.v3.Cluster.PreconnectPolicy',
    { perUpstreamPreconnectRatio: 1.5 },
    { perUpstreamPreconnectRatio: 3.5 },
    ['PreconnectPolicy.per_upstream_preconnect_ratio: value must be inside range [1, 3]'],
  ],
  [
    'uint32.gt on a wrapper',
    `${CORE}.HttpProtocolOptions`,
    { maxResponseHeadersKb: 60 },
    { maxResponseHeadersKb: 0 },
    ['HttpProtocolOptions.max_response_headers_kb: value must be inside range (0, 8192]'],
  ],
  [
    'any.required',
    `${CORE}.TypedExtensionConfig`,
    { name: 'x', typedConfig: packAny(make('envoy.extensions.filters.http.router.v3.Router', {})) },
    { name: 'x' },
    ['TypedExtensionConfig.typed_config: value is required'],
  ],
  [
    'message.skip: nothing inside is checked',
    `${CORE}.KeyValueAppend`,
    { entry: { key: '' }, action: 0 },
    { entry: { key: '' }, action: 9 },
    ['KeyValueAppend.action: value must be one of the defined enum values'],
  ],
];

describe('xds/check checkMessage: PGV rules', () => {
  for (const [kind, fullName, good, bad, expected] of CASES) {
    it(`${kind}: passes a valid ${fullName.split('.').pop()} and reports an invalid one`, () => {
      expect(violations(fullName, good)).to.deep.equal([]);
      expect(violations(fullName, bad)).to.have.members(expected);
      expect(violations(fullName, bad)).to.have.length(expected.length);
    });
  }

  it('checks inside google.protobuf.Any, naming the unpacked type in the path', () => {
    const bad = listener([hcm({ statPrefix: '' })]);
    expect(checkMessage('envoy.config.listener.v3.Listener', bad).map(formatViolation)).to.deep.equal([
      'Listener.filter_chains[0].filters[0].typed_config(HttpConnectionManager).stat_prefix: value length must be at least 1 runes',
    ]);
    expect(checkMessage('envoy.config.listener.v3.Listener', listener())).to.deep.equal([]);
  });

  it('checks an Any inside an Any (HCM → HTTP filter typed_config)', () => {
    const inner = packAny(make(`${CORE}.TypedExtensionConfig`, { name: '' }));
    const bad = listener([
      hcm({ httpFilters: [{ name: 'f', configType: { $case: 'typedConfig', value: inner } }] }),
    ]);
    const found = checkMessage('envoy.config.listener.v3.Listener', bad).map(formatViolation);
    const prefix =
      'Listener.filter_chains[0].filters[0].typed_config(HttpConnectionManager).http_filters[0].typed_config(TypedExtensionConfig)';
    expect(found).to.include.members([
      `${prefix}.name: value length must be at least 1 runes`,
      `${prefix}.typed_config: value is required`,
    ]);
  });

  it('reports an Any whose type is not in the generated set (fails closed)', () => {
    const unknown = Any.fromPartial({ typeUrl: 'type.googleapis.com/acme.Nope', value: new Uint8Array() });
    const bad = listener([
      hcm({ httpFilters: [{ name: 'f', configType: { $case: 'typedConfig', value: unknown } }] }),
    ]);
    const found = checkMessage('envoy.config.listener.v3.Listener', bad);
    expect(found).to.have.length(1);
    expect(found[0]?.path).to.equal(
      'Listener.filter_chains[0].filters[0].typed_config(HttpConnectionManager).http_filters[0].typed_config',
    );
    expect(found[0]?.message).to.match(/^cannot unpack Any with type URL "type.googleapis.com\/acme.Nope"/);
  });

  it('still checks Anys inside a skipped message', () => {
    const inner = packAny(make(`${CORE}.HeaderValueOption`, {}));
    const msg = make(`${CORE}.TypedExtensionConfig`, { name: 'n', typedConfig: inner });
    expect(checkMessage(`${CORE}.TypedExtensionConfig`, msg).map(formatViolation)).to.deep.equal([
      'TypedExtensionConfig.typed_config(HeaderValueOption).header: value is required',
    ]);
  });
});

describe('xds/check checkMessage: Any contents checked once (ADR 0034)', () => {
  const LISTENER = 'envoy.config.listener.v3.Listener';

  it('reports a bad content at every place it occurs, each with its own path, checked or remembered', () => {
    const bad = hcm({ statPrefix: '' });
    const twice = listener([bad, HttpConnectionManager.fromPartial(bad)]);
    const expected = [0, 1].map(
      (i) =>
        `Listener.filter_chains[${i}].filters[0].typed_config(HttpConnectionManager).stat_prefix: value length must be at least 1 runes`,
    );
    expect(checkMessage(LISTENER, twice).map(formatViolation)).to.deep.equal(expected);
    // Again, from new objects with the same content (as the next rebuild makes them).
    const again = listener([hcm({ statPrefix: '' }), hcm({ statPrefix: '' })]);
    expect(checkMessage(LISTENER, again).map(formatViolation)).to.deep.equal(expected);
  });

  it('tells contents apart: a fixed content is clean, a changed Any is checked anew', () => {
    expect(checkMessage(LISTENER, listener([hcm({ statPrefix: '' })]))).to.have.length(1);
    expect(checkMessage(LISTENER, listener([hcm({ statPrefix: 'ok' })]))).to.deep.equal([]);
    const l = listener([hcm({ statPrefix: 'ok' })]);
    const filter = l.filterChains[0]?.filters[0];
    if (filter?.configType?.$case !== 'typedConfig') throw new Error('no typed_config');
    filter.configType.value.value = packAny(hcm({ statPrefix: '' })).value;
    expect(checkMessage(LISTENER, l)).to.have.length(1);
  });
});

describe('xds/check checkMessage: hand-built messages', () => {
  it('reads a missing repeated field as empty instead of throwing', () => {
    const vh = { $type: 'envoy.config.route.v3.VirtualHost', name: 'v' };
    expect(checkMessage('envoy.config.route.v3.VirtualHost', vh).map(formatViolation)).to.deep.equal([
      'VirtualHost.domains: value must contain at least 1 item(s)',
    ]);
  });
});

describe('checkMessage: virtual hosts shared between route configurations (ADR 35)', () => {
  const ROUTES = 'envoy.config.route.v3.RouteConfiguration';

  it('reports a shared virtual host at every path it stands at, in every configuration', () => {
    const bad = VirtualHost.fromPartial({ name: 'orders', domains: [] }); // domains: min_items 1
    const good = VirtualHost.fromPartial({ name: 'ok', domains: ['ok'] });
    const first = RouteConfiguration.fromPartial({ name: 'a' });
    first.virtualHosts = [bad, good, bad];
    const second = RouteConfiguration.fromPartial({ name: 'b' });
    second.virtualHosts = [good, bad];
    expect(checkMessage(ROUTES, first).map(formatViolation)).to.deep.equal([
      'RouteConfiguration.virtual_hosts[0].domains: value must contain at least 1 item(s)',
      'RouteConfiguration.virtual_hosts[2].domains: value must contain at least 1 item(s)',
    ]);
    expect(checkMessage(ROUTES, second).map(formatViolation)).to.deep.equal([
      'RouteConfiguration.virtual_hosts[1].domains: value must contain at least 1 item(s)',
    ]);
  });
});
