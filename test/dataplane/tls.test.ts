// The dataplane's certificate: the pure issuing function the controller calls for Secret aspen-dataplane-tls, when it
// is due, and its renewal inside `aspen serve` (injected timers and clock).
import { X509Certificate } from 'node:crypto';
import { expect } from 'chai';
import { Registry } from 'prom-client';
import { startServeDataplane } from '../../src/dataplane/serve.js';
import { SERVE_TLS_CHECK_MS } from '../../src/dataplane/serve.js';
import { dataplaneTlsDue, dataplaneTlsSecret, issueDataplaneTls } from '../../src/dataplane/tls.js';
import { trustBundle } from '../../src/ca/state.js';
import { FakeTimers, recordingLogger } from '../serve/fixtures.js';
import type { LogLine } from '../serve/fixtures.js';
import { realCa } from './fixtures.js';

const HOUR = 3600 * 1000;

describe('dataplane: TLS certificate', () => {
  it('issues the Secret data: an SVID for aspen-dataplane in the namespace, its key, and the trust bundle', async () => {
    const ca = await realCa();
    const now = new Date();
    const issued = await issueDataplaneTls(ca, { namespace: 'aspen-system' }, { now: () => now });
    if (!issued.ok) throw new Error(issued.error.message);
    const cert = new X509Certificate(issued.value['tls.crt']);
    expect(cert.subjectAltName).to.equal('URI:spiffe://cluster.local/ns/aspen-system/sa/aspen-dataplane');
    expect(issued.value['tls.key']).to.match(/^-----BEGIN PRIVATE KEY-----/);
    expect(issued.value['ca.crt']).to.equal(trustBundle(ca, () => now));
    expect(dataplaneTlsDue(issued.value['tls.crt'], now)).to.equal(false);
    const life = new Date(cert.validTo).getTime() - new Date(cert.validFrom).getTime();
    const validFrom = new Date(cert.validFrom).getTime();
    expect(dataplaneTlsDue(issued.value['tls.crt'], new Date(validFrom + (life * 2) / 3 + 1000))).to.equal(
      true,
    );
    expect(dataplaneTlsDue(undefined, now)).to.equal(true);
    expect(dataplaneTlsDue('not a certificate', now)).to.equal(true);
    const secret = dataplaneTlsSecret('aspen-system', issued.value);
    expect(secret.metadata).to.deep.equal({
      name: 'aspen-dataplane-tls',
      namespace: 'aspen-system',
      labels: { 'aspen.dev/managed-by': 'aspen' },
    });
    expect(Buffer.from(secret.data['ca.crt'], 'base64').toString()).to.equal(issued.value['ca.crt']);
  });

  it('aspen serve renews its dataplane certificate in place once it is due', async () => {
    const ca = await realCa();
    const timers = new FakeTimers(Date.now());
    const lines: LogLine[] = [];
    const dataplane = await startServeDataplane(
      {
        listen: '127.0.0.1:0',
        ca,
        trustDomain: 'cluster.local',
        identity: 'spiffe://cluster.local/ns/aspen-system/sa/aspen',
      },
      { logger: recordingLogger(lines), registry: new Registry(), clock: timers, timers },
    );
    try {
      timers.advance(SERVE_TLS_CHECK_MS);
      await new Promise((resolve) => setImmediate(resolve));
      expect(lines.filter((l) => l.message === 'dataplane certificate renewed')).to.have.length(0);
      timers.advance(17 * HOUR);
      // The reissue (key generation, signing) completes asynchronously: wait for its log line.
      for (let i = 0; i < 500 && !lines.some((l) => l.message === 'dataplane certificate renewed'); i++) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      expect(lines.filter((l) => l.message === 'dataplane certificate renewed')).to.have.length(1);
    } finally {
      await dataplane.close();
    }
  });
});
