import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { buildEnvoyValidate, requireGo, runEnvoyValidate, validateWithEnvoy } from './envoy-validate.js';
import type { EnvoyValidation } from './envoy-validate.js';

const T = 'type.googleapis.com/';
const LISTENER = `${T}envoy.config.listener.v3.Listener`;
const CLUSTER = `${T}envoy.config.cluster.v3.Cluster`;
const HCM = `${T}envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager`;
const HTTP_RBAC = `${T}envoy.extensions.filters.http.rbac.v3.RBAC`;
const NETWORK_RBAC = `${T}envoy.extensions.filters.network.rbac.v3.RBAC`;
const ROUTER = `${T}envoy.extensions.filters.http.router.v3.Router`;
const HTTP_OPTIONS = `${T}envoy.extensions.upstreams.http.v3.HttpProtocolOptions`;

type Json = Record<string, unknown>;

/** An HTTP connection manager with an inline route config and the router, as canonical JSON. */
function hcm(overrides: Json = {}, httpFilters: Json[] = []): Json {
  return {
    '@type': HCM,
    statPrefix: 'inbound_15006',
    routeConfig: {
      name: 'inbound',
      virtualHosts: [
        {
          name: 'app',
          domains: ['*'],
          routes: [{ match: { prefix: '/' }, route: { cluster: 'local-app' } }],
        },
      ],
    },
    httpFilters: [...httpFilters, { name: 'envoy.filters.http.router', typedConfig: { '@type': ROUTER } }],
    ...overrides,
  };
}

/** A minimal inbound Listener on 0.0.0.0:`port` whose one filter chain holds `manager`. */
function listener(manager: Json = hcm(), port = 15006): Json {
  return {
    '@type': LISTENER,
    name: 'inbound',
    address: { socketAddress: { address: '0.0.0.0', portValue: port } },
    filterChains: [
      { filters: [{ name: 'envoy.filters.network.http_connection_manager', typedConfig: manager }] },
    ],
  };
}

/** A static local-app cluster with HTTP/2 upstream options (a map of Any). */
function cluster(protocolOptions: Json = { explicitHttpConfig: { http2ProtocolOptions: {} } }): Json {
  return {
    '@type': CLUSTER,
    name: 'local-app',
    type: 'STATIC',
    connectTimeout: '1s',
    loadAssignment: {
      clusterName: 'local-app',
      endpoints: [
        {
          lbEndpoints: [
            { endpoint: { address: { socketAddress: { address: '127.0.0.1', portValue: 8080 } } } },
          ],
        },
      ],
    },
    typedExtensionProtocolOptions: {
      'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': { '@type': HTTP_OPTIONS, ...protocolOptions },
    },
  };
}

/** An HTTP RBAC filter config allowing one SPIFFE identity on /admin. */
function httpRbac(permissions: Json[] = [{ urlPath: { path: { prefix: '/admin' } } }]): Json {
  return {
    '@type': HTTP_RBAC,
    rules: {
      action: 'ALLOW',
      policies: {
        admins: {
          permissions,
          principals: [
            { authenticated: { principalName: { exact: 'spiffe://cluster.local/ns/shop/sa/admin' } } },
          ],
        },
      },
    },
  };
}

async function one(resource: Json): Promise<EnvoyValidation> {
  const [result] = await validateWithEnvoy([resource]);
  if (result === undefined) throw new Error('no result');
  return result;
}

describe('test tool: envoy-validate (Envoy PGV validators via go-control-plane)', function () {
  before(async function () {
    // The first build in a fresh clone downloads Go modules and compiles ~400 packages (about 2 minutes).
    this.timeout(15 * 60 * 1000);
    await buildEnvoyValidate();
  });

  it('accepts a minimal Listener with an HTTP connection manager, inline routes and the router', async () => {
    expect(await one(listener())).to.deep.equal({ index: 0, type: LISTENER, name: 'inbound', ok: true });
  });

  it('rejects an out-of-range port, naming the field', async () => {
    const result = await one(listener(hcm(), 70000));
    expect(result.ok).to.be.false;
    expect(result.errors).to.deep.equal([
      'Listener.Address.SocketAddress.PortValue: value must be less than or equal to 65535',
    ]);
  });

  it('validates the message inside a typed_config Any (HCM without stat_prefix)', async () => {
    const result = await one(listener(hcm({ statPrefix: '' })));
    expect(result.ok).to.be.false;
    expect(result.errors).to.deep.equal([
      'Listener.FilterChains[0].Filters[0].TypedConfig(HttpConnectionManager).StatPrefix: value length must be at least 1 runes',
    ]);
  });

  it('validates Anys nested in Anys (an RBAC HTTP filter inside the HCM)', async () => {
    const manager = hcm({}, [{ name: 'envoy.filters.http.rbac', typedConfig: httpRbac([]) }]);
    const result = await one(listener(manager));
    expect(result.ok).to.be.false;
    expect(result.errors).to.have.lengthOf(1);
    expect(result.errors?.[0]).to.match(
      /^Listener\.FilterChains\[0]\.Filters\[0]\.TypedConfig\(HttpConnectionManager\)\.HttpFilters\[0]\.TypedConfig\(RBAC\)\.Rules\.Policies\[admins]\.Permissions: value must contain at least 1 item/,
    );
  });

  it('rejects unknown fields, at the top level and inside an Any', async () => {
    const top = await one({ ...listener(), listenerFiltersTimeoutt: '1s' });
    expect(top.ok).to.be.false;
    expect(top.errors).to.have.lengthOf(1);
    expect(top.errors?.[0]).to.match(/^parse: .*unknown field "listenerFiltersTimeoutt"/);

    const nested = await one(listener(hcm({ normalisePath: true })));
    expect(nested.errors?.[0]).to.match(/^parse: .*unknown field "normalisePath"/);
  });

  it('rejects a type that is not registered (unknown or v2 type URL), at any depth', async () => {
    const top = await one({ ...listener(), '@type': `${T}envoy.api.v2.Listener` });
    expect(top).to.deep.include({ type: `${T}envoy.api.v2.Listener`, name: 'inbound', ok: false });
    expect(top.errors?.[0]).to.match(/unable to resolve/);

    const nested = await one(
      listener(hcm({}, [{ name: 'x', typedConfig: { '@type': `${T}example.NoSuchFilter` } }])),
    );
    expect(nested.errors?.[0]).to.match(/unable to resolve .*example\.NoSuchFilter/);
  });

  it('accepts a Cluster with upstream HTTP options (a map of Any), and checks inside that map', async () => {
    expect(await one(cluster())).to.deep.equal({ index: 0, type: CLUSTER, name: 'local-app', ok: true });

    const bad = await one(cluster({}));
    expect(bad.ok).to.be.false;
    expect(bad.errors).to.deep.equal([
      'Cluster.TypedExtensionProtocolOptions[envoy.extensions.upstreams.http.v3.HttpProtocolOptions](HttpProtocolOptions).UpstreamProtocolOptions: value is required',
    ]);
  });

  it('accepts RBAC filter configs (HTTP and network) as resources of their own', async () => {
    const network = {
      '@type': NETWORK_RBAC,
      statPrefix: 'segmentation',
      rules: {
        action: 'ALLOW',
        policies: { peers: { permissions: [{ any: true }], principals: [{ any: true }] } },
      },
    };
    const results = await validateWithEnvoy([httpRbac(), network, { ...network, statPrefix: '' }]);
    expect(results.map((r) => r.ok)).to.deep.equal([true, true, false]);
    expect(results[2]?.errors).to.deep.equal(['RBAC.StatPrefix: value length must be at least 1 runes']);
  });

  it('reports results in input order with indexes, and names ClusterLoadAssignments by cluster_name', async () => {
    const cla = { '@type': `${T}envoy.config.endpoint.v3.ClusterLoadAssignment`, clusterName: 'local-app' };
    const results = await validateWithEnvoy([cluster(), listener(hcm(), 70000), cla]);
    expect(results.map((r) => [r.index, r.name, r.ok])).to.deep.equal([
      [0, 'local-app', true],
      [1, 'inbound', false],
      [2, 'local-app', true],
    ]);
  });

  it('warns about deprecated fields without failing the resource', async () => {
    const result = await one({ ...cluster(), useTcpForDnsLookups: true });
    expect(result.ok).to.be.true;
    expect(result.warnings).to.deep.equal(['Cluster.UseTcpForDnsLookups: deprecated field']);
  });

  it('reports a resource without "@type" or not an object as a failed resource', async () => {
    const results = await validateWithEnvoy([{ name: 'x' }, []]);
    expect(results).to.deep.equal([
      { index: 0, type: '', name: 'x', ok: false, errors: ['parse: missing or empty "@type"'] },
      { index: 1, type: '', ok: false, errors: ['parse: a resource must be a JSON object'] },
    ]);
  });

  it('reads JSON lines too, and exits 0 when all pass, 1 when one fails, 2 on bad input', async () => {
    const lines = `${JSON.stringify(listener())}\n${JSON.stringify(cluster())}\n`;
    expect((await runEnvoyValidate(lines)).code).to.equal(0);
    const failing = await runEnvoyValidate(`${lines}${JSON.stringify(listener(hcm(), 70000))}\n`);
    expect(failing.code).to.equal(1);
    expect(failing.stdout.trim().split('\n')).to.have.lengthOf(3);
    const bad = await runEnvoyValidate('[{"@type": ');
    expect(bad.code).to.equal(2);
    expect(bad.stderr).to.match(/bad input/);
  });

  it('fails with a clear error when Go is not on PATH', async () => {
    const empty = await mkdtemp(path.join(os.tmpdir(), 'no-go-'));
    const saved = process.env.PATH;
    process.env.PATH = empty;
    try {
      let error: unknown;
      await requireGo().catch((e: unknown) => (error = e));
      expect(String(error)).to.match(/Go toolchain \("go"\) is not on PATH/);
    } finally {
      process.env.PATH = saved;
      await rm(empty, { recursive: true });
    }
  });
});
