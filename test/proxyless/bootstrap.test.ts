import { expect } from 'chai';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { caToPem } from '../../src/ca/pem.js';
import { generateRootCa } from '../../src/ca/root.js';
import { runCli } from '../cli/run.js';
import { runProxylessBootstrap } from '../../src/cli/bootstrap-proxyless.js';
import { FakeTimers } from '../serve/fixtures.js';
import { waitFor, xdsModule } from './harness.js';

interface GrpcBootstrap {
  xds_servers: {
    server_uri: string;
    channel_creds: { type: string; config?: Record<string, string> }[];
    call_creds?: { type: string; config: Record<string, string> }[];
  }[];
  node: { id: string; cluster: string; locality: object; metadata: Record<string, string> };
  certificate_providers: Record<string, { plugin_name: string; config: Record<string, string> }>;
  server_listener_resource_name_template: string;
}

describe('aspen bootstrap --proxyless', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'aspen-bootstrap-proxyless-'));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** A CA written as PEM files: --ca-cert and --ca-key. */
  async function caFiles(): Promise<string[]> {
    const root = await generateRootCa({ trustDomain: 'cluster.local', clock: () => new Date() });
    if (!root.ok) throw new Error(root.error.message);
    const pem = await caToPem(root.value);
    await writeFile(join(dir, 'ca.crt'), pem.certificatePem);
    await writeFile(join(dir, 'ca.key'), pem.privateKeyPem.reveal());
    return ['--ca-cert', join(dir, 'ca.crt'), '--ca-key', join(dir, 'ca.key')];
  }

  it('prints the gRPC bootstrap: node, file_watcher provider, A36 listener template, TLS to aspen', async () => {
    const run = await runCli([
      'bootstrap',
      '--proxyless',
      '--workload',
      'shop/orders',
      '--pod',
      'orders-7d9f',
    ]);
    expect(run.code, run.stderr).to.equal(0);
    const doc = JSON.parse(run.stdout) as GrpcBootstrap;
    expect(doc.node).to.deep.equal({
      id: 'shop/orders-7d9f',
      cluster: 'shop/orders',
      locality: {},
      metadata: { 'aspen.dev/proxyless': 'true' },
    });
    expect(doc.xds_servers[0]?.server_uri).to.equal('aspen.aspen-system.svc:15010');
    expect(doc.xds_servers[0]?.channel_creds).to.deep.equal([
      { type: 'tls', config: { ca_certificate_file: '/var/run/aspen/grpc/ca.pem' } },
    ]);
    expect(doc.xds_servers[0]?.call_creds).to.deep.equal([
      { type: 'jwt_token_file', config: { jwt_token_file: '/var/run/secrets/tokens/aspen-token' } },
    ]);
    expect(doc.certificate_providers).to.deep.equal({
      aspen: {
        plugin_name: 'file_watcher',
        config: {
          certificate_file: '/var/run/aspen/grpc/cert.pem',
          private_key_file: '/var/run/aspen/grpc/key.pem',
          ca_certificate_file: '/var/run/aspen/grpc/ca.pem',
          refresh_interval: '60s',
        },
      },
    });
    expect(doc.server_listener_resource_name_template).to.equal(
      'grpc/server?xds.resource.listening_address=%s',
    );
  });

  it('is accepted by grpc-js-xds (insecure channel to a loopback aspen serve)', async () => {
    const run = await runCli([
      'bootstrap',
      '--proxyless',
      '--workload',
      'shop/orders',
      '--xds-address',
      '127.0.0.1:18000',
      '--xds-insecure',
    ]);
    expect(run.code, run.stderr).to.equal(0);
    await xdsModule(); // loads grpc-js-xds with its RBAC filter enabled, before anything else imports it
    const { validateBootstrapConfig } = (await import('@grpc/grpc-js-xds/build/src/xds-bootstrap.js')) as {
      validateBootstrapConfig: (obj: unknown) => { serverListenerResourceNameTemplate: string };
    };
    const info = validateBootstrapConfig(JSON.parse(run.stdout));
    expect(info.serverListenerResourceNameTemplate).to.include('%s');
  });

  it('--out-dir writes the bootstrap and CA-issued certificate files; the key only to key.pem (0600)', async () => {
    const out = join(dir, 'out');
    const run = await runCli([
      'bootstrap',
      '--proxyless',
      '--workload',
      'shop/orders',
      '--service-account',
      'orders',
      '--xds-address',
      'localhost:18000',
      '--xds-insecure',
      '--out-dir',
      out,
      ...(await caFiles()),
    ]);
    expect(run.code, run.stderr).to.equal(0);
    const cert = new X509Certificate(await readFile(join(out, 'cert.pem')));
    expect(cert.subjectAltName).to.equal('URI:spiffe://cluster.local/ns/shop/sa/orders');
    expect(cert.verify(new X509Certificate(await readFile(join(out, 'ca.pem'))).publicKey)).to.equal(true);
    expect((await stat(join(out, 'key.pem'))).mode & 0o777).to.equal(0o600);
    const doc = JSON.parse(await readFile(join(out, 'bootstrap.json'), 'utf8')) as GrpcBootstrap;
    expect(doc.certificate_providers['aspen']?.config['private_key_file']).to.equal(join(out, 'key.pem'));
    expect(run.stdout + run.stderr).to.not.include('PRIVATE KEY');
  });

  it('--refresh rewrites the certificate files at renewal time and stops on shutdown', async () => {
    const out = join(dir, 'refreshed');
    const timers = new FakeTimers(Date.now());
    let stop: (value?: unknown) => void = () => undefined;
    const shutdown = new Promise((resolve) => (stop = resolve));
    const lines: string[] = [];
    const io = {
      stdout: (t: string) => lines.push(t),
      stderr: (t: string) => lines.push(t),
      stdoutIsTTY: false,
    };
    const [, caCert = '', , caKey = ''] = await caFiles();
    const running = runProxylessBootstrap(
      {
        workload: 'shop/orders',
        serviceAccount: 'orders',
        xdsAddress: '127.0.0.1:1',
        xdsInsecure: true,
        outDir: out,
        caCert,
        caKey,
        refresh: true,
      },
      { ...io, readStdin: () => Promise.resolve('') },
      { clock: timers, timers, random: () => 0.5, shutdown },
    );
    const first = await waitFor('the first files', async () =>
      readFile(join(out, 'bootstrap.json'), 'utf8')
        .then(() => readFile(join(out, 'cert.pem'), 'utf8'))
        .catch(() => undefined),
    );
    timers.advance(12 * 60 * 60 * 1000);
    await waitFor('renewed files', async () => {
      const now = await readFile(join(out, 'cert.pem'), 'utf8');
      return now !== first ? true : undefined;
    });
    stop();
    expect(await running).to.equal(0);
    expect(timers.waiting).to.equal(0);
    expect(lines.join('')).to.not.include('PRIVATE KEY');
  });

  it('usage errors (exit 2): certificates without a CA, plaintext to a remote aspen, bad names', async () => {
    const base = ['bootstrap', '--proxyless', '--workload', 'shop/orders'];
    const cases: [string[], string][] = [
      [['--out-dir', dir, '--ca-cert', 'ca.pem'], '--ca-cert and --ca-key go together'],
      [['--xds-address', '10.0.0.1:15010', '--xds-insecure'], 'loopback'],
      [['--service-account', 'Not_A_Name'], '--service-account'],
      [['--refresh'], '--refresh needs --out-dir'],
      [['-o', 'yaml'], 'JSON only'],
    ];
    for (const [args, message] of cases) {
      const run = await runCli([...base, ...args]);
      expect(run.code, args.join(' ')).to.equal(2);
      expect(run.stderr).to.include(message);
    }
  });
});
