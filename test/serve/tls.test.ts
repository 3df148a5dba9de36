import { expect } from 'chai';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { credentials, status } from '@grpc/grpc-js';
import { Registry } from 'prom-client';
import { caToPem } from '../../src/ca/pem.js';
import { generateRootCa } from '../../src/ca/root.js';
import { newCaState } from '../../src/ca/state.js';
import { main } from '../../src/cli/main.js';
import type { CliIO } from '../../src/cli/io.js';
import type { ServeRuntime } from '../../src/cli/serve.js';
import { startServe } from '../../src/serve/app.js';
import type { ServeApp, ServeOptions } from '../../src/serve/app.js';
import { servingRenewDelay } from '../../src/serve/tls.js';
import { ManualWatcher } from '../../src/serve/watcher.js';
import { defaultXdsConfig } from '../../src/xds/translate/config.js';
import { unwrap } from '../ca/fixtures.js';
import { ScriptedAdsClient } from '../xds/server/client.js';
import { CDS, FakeTimers, copyExamples, recordingLogger, removeDir } from './fixtures.js';
import type { LogLine } from './fixtures.js';

const LOOPBACK_ANY_PORT = { host: '127.0.0.1', port: 0 };
const HOUR = 60 * 60 * 1000;

/** The serving certificate's `valid_to` and serial as a TLS handshake on `port` shows them (no verification). */
function peerCertificate(port: number): Promise<{ serial: string; validTo: Date }> {
  return new Promise((resolve, reject) => {
    const socket = connect({
      host: '127.0.0.1',
      port,
      servername: 'localhost',
      ALPNProtocols: ['h2'],
      rejectUnauthorized: false,
    });
    socket.on('secureConnect', () => {
      const cert = socket.getPeerCertificate();
      socket.destroy();
      resolve({ serial: cert.serialNumber, validTo: new Date(cert.valid_to) });
    });
    socket.on('error', reject);
  });
}

describe('aspen serve: TLS on the xDS port', () => {
  let dir: string;
  let out: string;
  let app: ServeApp | undefined;
  let timers: FakeTimers;
  let logs: LogLine[];

  beforeEach(async () => {
    dir = await copyExamples();
    out = await mkdtemp(join(tmpdir(), 'aspen-tls-'));
    // Real start time: the client verifies the certificate against the wall clock.
    timers = new FakeTimers(Date.now());
    logs = [];
  });

  afterEach(async () => {
    await app?.close();
    app = undefined;
    await removeDir(dir);
    await rm(out, { recursive: true, force: true });
  });

  async function start(extra: Partial<ServeOptions> = {}): Promise<number> {
    const options: ServeOptions = {
      dir,
      defaultNamespace: 'default',
      trustDomain: 'cluster.local',
      xds: defaultXdsConfig(),
      xdsListen: LOOPBACK_ANY_PORT,
      healthListen: LOOPBACK_ANY_PORT,
      metricsListen: LOOPBACK_ANY_PORT,
      shutdownGraceMs: 200,
      trustBundleOut: join(out, 'bundle.pem'),
      ...extra,
    };
    app = await startServe(options, {
      logger: recordingLogger(logs),
      registry: new Registry(),
      clock: timers,
      timers,
      watcher: new ManualWatcher(),
    });
    return app.serving;
  }

  it('serves a TLS client that trusts the bundle; refuses one without it and a plaintext one', async () => {
    const port = await start();
    const bundle = await readFile(join(out, 'bundle.pem'));
    expect(logs.some((l) => l.level === 'warn' && l.message.includes('EPHEMERAL'))).to.equal(true);
    expect(logs.some((l) => l.message.includes('DEVELOPMENT ONLY') && l.fields.tls === true)).to.equal(true);

    const trusted = new ScriptedAdsClient(`localhost:${port}`, 'shop/orders', {
      credentials: credentials.createSsl(bundle),
    });
    try {
      trusted.subscribe(CDS);
      const clusters = await trusted.next(5000);
      expect(clusters.typeUrl).to.equal(CDS);
      expect(clusters.resources.length).to.be.greaterThan(0);
    } finally {
      trusted.close();
    }

    const untrusted = new ScriptedAdsClient(`localhost:${port}`, 'shop/orders', {
      credentials: credentials.createSsl(),
    });
    const plaintext = new ScriptedAdsClient(`127.0.0.1:${port}`, 'shop/orders');
    try {
      for (const client of [untrusted, plaintext]) {
        client.subscribe(CDS);
        expect((await client.status(5000)).code).to.equal(status.UNAVAILABLE);
      }
    } finally {
      untrusted.close();
      plaintext.close();
    }
    const text = JSON.stringify(logs);
    expect(text).to.not.include('PRIVATE KEY');
  });

  it('replaces the serving certificate before it expires, on the same port', async () => {
    const port = await start({ servingTtlMs: 3 * HOUR, xdsDnsNames: ['localhost', 'xds.example.test'] });
    const first = await peerCertificate(port);
    const issuedAt = timers.now();
    const renewIn = servingRenewDelay(first.validTo, issuedAt);
    expect(renewIn).to.be.within(2 * HOUR - 2000, 2 * HOUR);
    timers.advance(renewIn - 1000);
    expect((await peerCertificate(port)).serial).to.equal(first.serial);
    timers.advance(2000); // valid_to has second precision: step past the exact renewal instant
    // The reissue is asynchronous (key generation): wait for the certificate to change, bounded.
    let next = await peerCertificate(port);
    for (let i = 0; i < 50 && next.serial === first.serial; i += 1) {
      await new Promise((resolve) => setImmediate(resolve));
      next = await peerCertificate(port);
    }
    expect(next.serial).to.not.equal(first.serial);
    expect(next.validTo.getTime()).to.be.greaterThan(first.validTo.getTime());
  });

  it('serves with a supplied CA: the bundle written is that CA', async () => {
    const root = unwrap(await generateRootCa({ trustDomain: 'cluster.local', clock: () => timers.now() }));
    await start({ ca: newCaState(root) });
    expect(await readFile(join(out, 'bundle.pem'), 'utf8')).to.equal(root.anchorPem);
    expect(logs.some((l) => l.message.includes('EPHEMERAL'))).to.equal(false);
  });
});

describe('aspen serve (CLI): TLS by default', () => {
  it('serves TLS with --ca-cert/--ca-key and the written bundle; exits 0 on SIGTERM', async () => {
    const dir = await copyExamples();
    const out = await mkdtemp(join(tmpdir(), 'aspen-tls-cli-'));
    const root = unwrap(await generateRootCa({ trustDomain: 'cluster.local', clock: () => new Date() }));
    const pem = await caToPem(root);
    await writeFile(join(out, 'ca.pem'), pem.certificatePem);
    await writeFile(join(out, 'ca-key.pem'), pem.privateKeyPem.reveal(), { mode: 0o600 });
    let stderr = '';
    const io: CliIO = {
      stdout: () => undefined,
      stderr: (text) => {
        stderr += text;
      },
      stdoutIsTTY: false,
      readStdin: () => Promise.resolve(''),
    };
    let stop: (signal: string) => void = () => undefined;
    let started: (app: ServeApp) => void = () => undefined;
    const appStarted = new Promise<ServeApp>((resolve) => {
      started = resolve;
    });
    const runtime: ServeRuntime = {
      shutdown: new Promise((resolve) => {
        stop = resolve;
      }),
      stderrIsTTY: false,
      onStarted: (app) => started(app),
    };
    const argv = ['serve', '--dir', dir, '--xds-listen', '127.0.0.1:0', '--ca-cert', join(out, 'ca.pem')];
    argv.push('--ca-key', join(out, 'ca-key.pem'), '--trust-bundle-out', join(out, 'bundle.pem'));
    argv.push('--health-listen', '127.0.0.1:0', '--metrics-listen', '127.0.0.1:0');
    argv.push('--dataplane-listen', '127.0.0.1:0', '--admin-listen', '127.0.0.1:0'); // no fixed ports in tests
    const exit = main(argv, io, runtime);
    let client: ScriptedAdsClient | undefined;
    try {
      const port = await (await appStarted).serving;
      const bundle = await readFile(join(out, 'bundle.pem'));
      expect(bundle.toString()).to.equal(root.anchorPem);
      client = new ScriptedAdsClient(`localhost:${port}`, 'shop/orders', {
        credentials: credentials.createSsl(bundle),
      });
      client.subscribe(CDS);
      expect((await client.next(5000)).typeUrl).to.equal(CDS);
    } finally {
      client?.close();
      stop('SIGTERM');
      expect(await exit).to.equal(0);
      await removeDir(dir);
      await rm(out, { recursive: true, force: true });
    }
    expect(stderr).to.not.include('EPHEMERAL');
    expect(stderr).to.not.include('PRIVATE KEY');
  });
});
