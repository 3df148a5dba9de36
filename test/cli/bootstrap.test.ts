import { expect } from 'chai';
import { parse } from 'yaml';
import { BOOTSTRAP_TYPE_URL } from '../../src/xds/sds/bootstrap.js';
import { buildEnvoyValidate, validateWithEnvoy } from '../tools/envoy-validate.js';
import { runCli } from './run.js';

type Json = Record<string, unknown>;

interface Bootstrap {
  node: { id: string; cluster: string };
  admin: { address: { socket_address: { address: string; port_value: number } } };
  dynamic_resources: {
    ads_config: { grpc_services: { google_grpc?: { target_uri: string } }[] };
  };
}

async function bootstrap(...args: string[]): Promise<Bootstrap> {
  const run = await runCli(['bootstrap', ...args]);
  expect(run.code, run.stderr).to.equal(0);
  return JSON.parse(run.stdout) as Bootstrap;
}

describe('aspen bootstrap', function () {
  this.timeout(300_000);

  before(async () => {
    await buildEnvoyValidate();
  });

  it("passes Envoy's own validation (Bootstrap, every Any inside)", async () => {
    const docs = [
      await bootstrap('--workload', 'shop/orders'),
      await bootstrap(
        '--workload',
        'shop/orders',
        '--pod',
        'orders-7d9f',
        '--xds-address',
        'localhost:18000',
      ),
      await bootstrap('--workload', 'shop/orders', '--xds-auth', 'none'),
      await bootstrap('--workload', 'shop/orders', '--xds-auth', 'none', '--xds-address', '10.0.0.7:15010'),
      await bootstrap('--workload', 'shop/orders', '--xds-auth', 'none', '--xds-address', '[::1]:15010'),
      await bootstrap(
        '--workload',
        'shop/orders',
        '--xds-auth',
        'none',
        '--xds-insecure',
        '--xds-address',
        '127.0.0.1:18000',
      ),
    ];
    const results = await validateWithEnvoy(docs.map((doc) => ({ '@type': BOOTSTRAP_TYPE_URL, ...doc })));
    for (const result of results) expect(result.ok, JSON.stringify(result.errors)).to.equal(true);
  });

  it('names the node after the pod and the workload; admin listens on loopback only', async () => {
    const doc = await bootstrap('--workload', 'shop/orders', '--pod', 'orders-7d9f');
    expect(doc.node).to.include({ id: 'shop/orders-7d9f', cluster: 'shop/orders' });
    expect(doc.admin.address.socket_address).to.deep.equal({ address: '127.0.0.1', port_value: 15000 });
    expect((await bootstrap('--workload', 'shop/orders')).node.id).to.equal('shop/$POD_NAME');
  });

  it('connects ADS over TLS to the xDS address with the token file as call credentials', async () => {
    const run = await runCli([
      'bootstrap',
      '--workload',
      'shop/orders',
      '--trust-bundle',
      '/etc/aspen/ca.pem',
      '--token-path',
      '/run/tok',
    ]);
    const doc = JSON.parse(run.stdout) as Bootstrap;
    const grpc = doc.dynamic_resources.ads_config.grpc_services[0]?.google_grpc;
    expect(grpc?.target_uri).to.equal('aspen.aspen-system.svc:15010');
    expect(run.stdout).to.include('"/etc/aspen/ca.pem"').and.include('"/run/tok"').and.include('"Bearer "');
  });

  it('--xds-auth none: envoy_grpc over the xds-grpc cluster, HTTP/2, TLS checking the server name', async () => {
    const run = await runCli(['bootstrap', '--workload', 'shop/orders', '--xds-auth', 'none']);
    const doc = JSON.parse(run.stdout) as Bootstrap & { static_resources: { clusters: Json[] } };
    expect(doc.dynamic_resources.ads_config.grpc_services).to.deep.equal([
      { envoy_grpc: { cluster_name: 'xds-grpc' } },
    ]);
    const xds = doc.static_resources.clusters.find((c) => c.name === 'xds-grpc');
    const text = JSON.stringify(xds);
    expect(text).to.include('http2_protocol_options').and.include('"sni":"aspen.aspen-system.svc"');
    expect(text).to.include('"exact":"aspen.aspen-system.svc"').and.include('trust-bundle.pem');
    expect(run.stdout).not.to.include('authorization');
    const insecure = await runCli([
      'bootstrap',
      '--workload',
      'shop/orders',
      '--xds-auth',
      'none',
      '--xds-insecure',
      '--xds-address',
      'localhost:18000',
    ]);
    expect(insecure.code, insecure.stderr).to.equal(0);
    expect(insecure.stdout).not.to.include('transport_socket');
  });

  it('exposes only /stats/prometheus on 15090', async () => {
    const run = await runCli(['bootstrap', '--workload', 'shop/orders']);
    const doc = JSON.parse(run.stdout) as { static_resources: { listeners: Json[] } };
    const stats = JSON.stringify(doc.static_resources.listeners);
    expect(stats).to.include('"port_value":15090').and.include('"path":"/stats/prometheus"');
    expect(stats).not.to.include('"prefix"');
  });

  it('contains no key material', async () => {
    const run = await runCli(['bootstrap', '--workload', 'shop/orders', '-o', 'yaml']);
    expect(run.code).to.equal(0);
    for (const forbidden of ['PRIVATE KEY', 'BEGIN CERTIFICATE', 'inline_bytes', 'inline_string']) {
      expect(run.stdout).not.to.include(forbidden);
    }
    expect(run.stdout).not.to.match(/[&*]a\d/); // no YAML anchors or aliases
    expect(parse(run.stdout)).to.deep.equal(await bootstrap('--workload', 'shop/orders'));
  });

  it('exits 2 on usage errors', async () => {
    for (const args of [
      ['--workload', 'orders'],
      ['--workload', 'shop/orders/x'],
      ['--workload', 'Shop/orders'],
      ['--workload', 'shop/orders', '--xds-address', 'aspen'],
      ['--workload', 'shop/orders', '-o', 'xml'],
      ['--workload', 'shop/orders', '--token-path', 'relative'],
      ['--workload', 'shop/orders', '--xds-auth', 'mtls'],
      ['--workload', 'shop/orders', '--xds-insecure', '--xds-address', 'localhost:18000'],
      ['--workload', 'shop/orders', '--xds-auth', 'none', '--xds-insecure'],
      ['--workload', 'shop/orders', '--xds-address', 'a:b:15010'],
      [],
    ]) {
      const run = await runCli(['bootstrap', ...args]);
      expect(run.code, args.join(' ')).to.equal(2);
      expect(run.stdout).to.equal('');
    }
  });
});
