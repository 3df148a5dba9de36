/**
 * The whole file-mode flow a user runs: `aspen serve` on a directory with proxyless workloads, `aspen bootstrap
 * --proxyless --out-dir` fetching each workload's certificates over aspen's SDS, and grpc-js-xds peers using the
 * written bootstrap and files.
 */
import { expect } from 'chai';
import { X509Certificate } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { status as grpcStatus } from '@grpc/grpc-js';
import type * as grpc from '@grpc/grpc-js';
import { Registry } from 'prom-client';
import { trustBundle } from '../../src/ca/state.js';
import type { CertificateFiles } from '../../src/proxyless/certificates.js';
import { startServe } from '../../src/serve/app.js';
import type { ServeApp } from '../../src/serve/app.js';
import { ManualWatcher } from '../../src/serve/watcher.js';
import { silentLogger } from '../../src/xds/server/types.js';
import { defaultXdsConfig } from '../../src/xds/translate/config.js';
import { TypeUrl } from '../../src/xds/translate/resources.js';
import { runCli } from '../cli/run.js';
import { FakeTimers } from '../serve/fixtures.js';
import { XdsCaller, freePort, startWorkload } from './harness.js';
import type { Peer } from './harness.js';
import { policy, workloads } from './manifests.js';

const LOOPBACK = { host: '127.0.0.1', port: 0 };

describe('proxyless gRPC with aspen serve and aspen bootstrap --proxyless (file mode)', function () {
  this.timeout(60_000);
  let dir: string;
  let app: ServeApp | undefined;
  let server: grpc.Server | undefined;
  const callers: XdsCaller[] = [];

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'aspen-proxyless-serve-'));
  });

  afterEach(async () => {
    for (const c of callers.splice(0)) c.close();
    server?.forceShutdown();
    await app?.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** `aspen bootstrap --proxyless --out-dir` for one workload against the running serve; the files as a Peer. */
  async function bootstrapPeer(key: string, serviceAccount: string, xdsPort: number): Promise<Peer> {
    const out = join(dir, 'peers', key.replace('/', '-'));
    const run = await runCli([
      'bootstrap',
      '--proxyless',
      '--workload',
      key,
      '--service-account',
      serviceAccount,
      '--xds-address',
      `127.0.0.1:${xdsPort}`,
      '--xds-insecure',
      '--out-dir',
      out,
    ]);
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stdout + run.stderr).to.not.include('PRIVATE KEY');
    const trustBundlePem = await readFile(join(out, 'ca.pem'), 'utf8');
    return {
      key,
      dir: out,
      bootstrap: await readFile(join(out, 'bootstrap.json'), 'utf8'),
      files: { trustBundlePem } as CertificateFiles,
    };
  }

  it('serves proxyless shapes, hands out certificates over SDS, and the peers enforce the policy', async () => {
    const port = await freePort();
    const manifests = join(dir, 'manifests');
    await mkdir(manifests);
    await writeFile(
      join(manifests, 'all.yaml'),
      `${workloads(port)}${policy(
        'frontend-only',
        `  authorization:
    defaultAction: Deny
    rules: [{ name: frontend, action: Allow, from: { principals: [spiffe://cluster.local/ns/shop/sa/frontend] } }]
`,
      )}`,
    );
    const timers = new FakeTimers(Date.now());
    app = await startServe(
      {
        dir: manifests,
        defaultNamespace: 'default',
        trustDomain: 'cluster.local',
        xds: defaultXdsConfig(),
        xdsListen: LOOPBACK,
        xdsInsecure: true,
        healthListen: LOOPBACK,
        metricsListen: LOOPBACK,
        shutdownGraceMs: 200,
      },
      { logger: silentLogger, registry: new Registry(), timers, watcher: new ManualWatcher() },
    );
    const xdsPort = await app.serving;
    const listeners = [
      ...(app.cache.getSnapshot('shop/orders')?.types.get(TypeUrl.Listener)?.byName.keys() ?? []),
    ];
    expect(listeners).to.include(`grpc/server?xds.resource.listening_address=127.0.0.1:${port}`);

    const orders = await bootstrapPeer('shop/orders', 'orders', xdsPort);
    const frontend = await bootstrapPeer('shop/frontend', 'frontend', xdsPort);
    const cert = new X509Certificate(await readFile(join(orders.dir, 'cert.pem')));
    expect(cert.subjectAltName).to.equal('URI:spiffe://cluster.local/ns/shop/sa/orders');
    expect(await readFile(join(orders.dir, 'ca.pem'), 'utf8')).to.equal(
      trustBundle(app.ca, () => timers.now()),
    );

    server = await startWorkload(orders, port);
    const intruder = await bootstrapPeer('other/intruder', 'intruder', xdsPort);
    const target = `xds:///orders.shop.svc.cluster.local:${port}`;
    callers.push(await XdsCaller.create(frontend, target), await XdsCaller.create(intruder, target));
    expect((await callers[0]?.call('/shop.Orders/Get'))?.code).to.equal(grpcStatus.OK);
    expect((await callers[1]?.call('/shop.Orders/Get'))?.code).to.equal(grpcStatus.PERMISSION_DENIED);
  });
});
