import { expect } from 'chai';
import { parse } from 'yaml';
import { buildEnvoyValidate, validateWithEnvoy } from '../tools/envoy-validate.js';
import { runCli } from './run.js';

interface RenderDoc {
  workloads: { workload: string; identity: string; resources: Record<string, Record<string, unknown>[]> }[];
}

const LISTENER = 'type.googleapis.com/envoy.config.listener.v3.Listener';
const ROUTES = 'type.googleapis.com/envoy.config.route.v3.RouteConfiguration';
const CLUSTER = 'type.googleapis.com/envoy.config.cluster.v3.Cluster';

describe('aspen render', () => {
  it('prints every workload with its identity and resources by type URL, as JSON by default', async () => {
    const run = await runCli(['render', 'examples/']);
    expect(run.code, run.stderr).to.equal(0);
    const doc = JSON.parse(run.stdout) as RenderDoc;
    expect(doc.workloads.map((w) => w.workload)).to.deep.equal([
      'shop/frontend',
      'shop/orders',
      'shop/payments',
    ]);
    const orders = doc.workloads.find((w) => w.workload === 'shop/orders');
    expect(orders?.identity).to.equal('spiffe://cluster.local/ns/shop/sa/orders');
    expect(Object.keys(orders?.resources ?? {})).to.deep.equal([LISTENER, ROUTES, CLUSTER]);
    expect(orders?.resources[LISTENER]?.map((l) => l.name)).to.deep.equal(['inbound', 'outbound']);
  });

  it('expands every Any with "@type" (proto3 canonical JSON)', async () => {
    const doc = JSON.parse(
      (await runCli(['render', 'examples/', '--workload', 'shop/orders'])).stdout,
    ) as RenderDoc;
    const json = JSON.stringify(doc);
    expect(json).to.include(
      '"@type":"type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager"',
    );
    expect(json).not.to.include('"typeUrl"');
    expect(json).to.include('"streamIdleTimeout":"300s"');
  });

  it('--workload selects one workload; -o yaml prints the same document as YAML', async () => {
    const json = await runCli(['render', 'examples/', '--workload', 'shop/orders']);
    const yaml = await runCli(['render', 'examples/', '--workload', 'shop/orders', '-o', 'yaml']);
    expect((JSON.parse(json.stdout) as RenderDoc).workloads.map((w) => w.workload)).to.deep.equal([
      'shop/orders',
    ]);
    expect(parse(yaml.stdout)).to.deep.equal(JSON.parse(json.stdout));
  });

  it('is deterministic: rendering twice gives byte-identical output', async () => {
    for (const output of ['json', 'yaml']) {
      const first = await runCli(['render', 'examples/', '-o', output]);
      const second = await runCli(['render', 'examples/', '-o', output]);
      expect(second.stdout).to.equal(first.stdout);
    }
  });

  it('never prints key material: certificates are SDS names only', async () => {
    const run = await runCli(['render', 'examples/']);
    expect(run.stdout).not.to.match(/private_key|privateKey|inline_bytes|inlineBytes|BEGIN [A-Z ]*KEY/);
    expect(run.stdout).to.include('"tlsCertificateSdsSecretConfigs"');
  });

  it('an unknown --workload is a usage error (exit 2) naming the workloads there are', async () => {
    const run = await runCli(['render', 'examples/', '--workload', 'shop/nope']);
    expect(run.code).to.equal(2);
    expect(run.stdout).to.equal('');
    expect(run.stderr).to.include('no workload shop/nope').and.include('shop/orders');
  });

  it('refuses an unknown format (exit 2) and renders nothing from unreadable input (exit 1)', async () => {
    expect((await runCli(['render', 'examples/', '-o', 'xml'])).code).to.equal(2);
    const broken = await runCli(['render', 'test/fixtures/broken/']);
    expect(broken.code).to.equal(1);
    expect(broken.stdout).to.equal('');
  });

  it("points the sidecars at aspen's per-request services from --dataplane-address", async () => {
    const run = await runCli([
      'render',
      'examples/',
      '--workload',
      'shop/orders',
      '--dataplane-address',
      'rls.example:9000',
    ]);
    expect(run.code).to.equal(0);
    expect(run.stdout).to.include('"address": "rls.example"').and.include('"portValue": 9000');
    expect(run.stdout).to.not.include('aspen-dataplane.aspen-system.svc');
    const bad = await runCli(['render', 'examples/', '--dataplane-address', 'no-port']);
    expect(bad.code).to.equal(2);
    expect(bad.stderr).to.include('--dataplane-address must be host:port');
  });

  describe("the examples' resources pass Envoy's own validators", function () {
    before(async function () {
      this.timeout(600_000);
      await buildEnvoyValidate();
    });

    it('every resource of every workload is ok', async function () {
      this.timeout(60_000);
      const doc = JSON.parse((await runCli(['render', 'examples/'])).stdout) as RenderDoc;
      const resources = doc.workloads.flatMap((w) =>
        Object.entries(w.resources).flatMap(([type, list]) => list.map((r) => ({ '@type': type, ...r }))),
      );
      const failures = (await validateWithEnvoy(resources)).filter((r) => !r.ok);
      expect(failures).to.deep.equal([]);
    });
  });
});
