import { expect } from 'chai';
import { SecretPem } from '../../src/ca/secret.js';
import type { CertificateFiles } from '../../src/proxyless/certificates.js';
import { CertificateRefresher, RETRY_MS } from '../../src/proxyless/refresher.js';
import { silentLogger } from '../../src/xds/server/types.js';
import { FakeTimers } from '../serve/fixtures.js';

const HOUR = 60 * 60 * 1000;

describe('proxyless certificate refresher', () => {
  /** A source issuing 24-hour certificates from the fake clock, numbered; `fail` makes the next call throw. */
  function setup(): {
    timers: FakeTimers;
    written: CertificateFiles[];
    refresher: CertificateRefresher;
    failNext: () => void;
  } {
    const timers = new FakeTimers();
    const written: CertificateFiles[] = [];
    let serial = 0;
    let fail = false;
    const refresher = new CertificateRefresher({
      source: () => {
        if (fail) {
          fail = false;
          return Promise.reject(new Error('CA unreachable'));
        }
        serial += 1;
        const now = timers.now();
        return Promise.resolve({
          spiffeId: 'spiffe://cluster.local/ns/shop/sa/orders',
          certificatePem: `cert-${serial}`,
          privateKeyPem: new SecretPem(`key-${serial}`),
          trustBundlePem: 'bundle',
          notBefore: now,
          notAfter: new Date(now.getTime() + 24 * HOUR),
        });
      },
      write: (files) => {
        written.push(files);
        return Promise.resolve();
      },
      clock: timers,
      timers,
      random: () => 0.5,
      logger: silentLogger,
    });
    return { timers, written, refresher, failNext: () => (fail = true) };
  }

  /** Lets the refresher's promise chain run after a timer fired. */
  const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

  it('writes at start, then renews at half the lifetime (not before)', async () => {
    const { timers, written, refresher } = setup();
    await refresher.start();
    expect(written.map((f) => f.certificatePem)).to.deep.equal(['cert-1']);
    timers.advance(12 * HOUR - 1);
    await settle();
    expect(written).to.have.length(1);
    timers.advance(1);
    await settle();
    expect(written.map((f) => f.certificatePem)).to.deep.equal(['cert-1', 'cert-2']);
    refresher.stop();
    expect(timers.waiting).to.equal(0);
  });

  it('a failed renewal keeps the files and retries after RETRY_MS', async () => {
    const { timers, written, refresher, failNext } = setup();
    await refresher.start();
    failNext();
    timers.advance(12 * HOUR);
    await settle();
    expect(written).to.have.length(1);
    timers.advance(RETRY_MS);
    await settle();
    expect(written.map((f) => f.certificatePem)).to.deep.equal(['cert-1', 'cert-2']);
    refresher.stop();
  });
});
