/**
 * `--webhook-cert-source external`: the server serves tls.crt/tls.key from a directory (as cert-manager writes them)
 * and swaps in a renewed certificate without rebinding; a missing file keeps the last good certificate and is logged
 * by name only.
 */
import { expect } from 'chai';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { generateWebhookCa, issueWebhookServing } from '../../src/webhook/certs/webhook-ca.js';
import { startWebhooks, type Webhooks } from '../../src/webhook/index.js';
import { FakeTimers, recordingLogger, type LogLine } from '../serve/fixtures.js';
import { TEST_TRUST_BUNDLE } from './fixtures.js';
import { MemoryClient } from './memory-client.js';

const DNS = ['aspen.aspen-system.svc'];

async function writeCertificate(dir: string, now: Date): Promise<string> {
  const ca = await generateWebhookCa(now, 24 * 60 * 60 * 1000);
  const serving = await issueWebhookServing(ca, { dnsNames: DNS, ttlMs: 60 * 60 * 1000, now });
  await writeFile(join(dir, 'tls.crt'), serving.certificatePem);
  await writeFile(join(dir, 'tls.key'), serving.privateKeyPem.reveal());
  await writeFile(join(dir, 'ca.crt'), ca.certificatePem);
  return ca.certificatePem;
}

/** The serial number of the certificate the server presents, verified with `ca`. */
async function servedSerial(port: number, ca: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, ca, servername: DNS[0] }, () => {
      const serial = socket.getPeerCertificate().serialNumber;
      socket.end();
      resolve(serial);
    });
    socket.on('error', reject);
  });
}

describe('webhook certificates from files (cert-manager)', function () {
  this.timeout(20_000);
  let dir: string;
  let webhooks: Webhooks;
  const lines: LogLine[] = [];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'aspen-webhook-'));
  });

  after(async () => {
    await webhooks.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('serves the files, reloads a renewed certificate, and keeps the last one when files vanish', async () => {
    const timers = new FakeTimers(Date.now());
    const ca1 = await writeCertificate(dir, new Date());
    const client = new MemoryClient();
    webhooks = await startWebhooks(
      {
        listen: '127.0.0.1:0',
        namespace: 'aspen-system',
        trustDomain: 'cluster.local',
        tls: { source: 'external', dir },
      },
      {
        client,
        isLeader: () => true,
        trustBundle: () => TEST_TRUST_BUNDLE,
        clock: timers,
        timers,
        logger: recordingLogger(lines),
      },
    );
    expect(webhooks.caBundle()).to.equal(ca1);
    const serial1 = await servedSerial(webhooks.port, ca1);
    const ca2 = await writeCertificate(dir, new Date());
    await webhooks.syncCertificates();
    const serial2 = await servedSerial(webhooks.port, ca2);
    expect(serial2).to.not.equal(serial1);
    await rm(join(dir, 'tls.key'));
    await webhooks.syncCertificates();
    expect(await servedSerial(webhooks.port, ca2)).to.equal(serial2);
    expect(lines.some((l) => l.message.startsWith('cannot read webhook certificate file'))).to.equal(true);
    expect(JSON.stringify(lines)).to.not.contain('PRIVATE KEY');
    // External mode never writes caBundles (cert-manager's CA injector does).
    expect(client.calls.filter((c) => c.startsWith('patch mutating'))).to.deep.equal([]);
  });
});
