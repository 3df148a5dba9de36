/**
 * Self-managed webhook certificates with an injected clock: issuance (DNS names, chain to the caBundle), caBundle
 * patched into both configurations (leader only), rotation of the serving certificate and of the CA with overlap (the
 * old and the new CA are both in the caBundle whenever either may be needed), conflicts between leaders.
 */
import { expect } from 'chai';
import { X509Certificate } from 'node:crypto';
import { SelfManagedTls } from '../../src/webhook/certs/self-managed.js';
import type { RotationPolicy } from '../../src/webhook/certs/plan.js';
import { nextStep } from '../../src/webhook/certs/plan.js';
import type { TlsUpdate } from '../../src/webhook/certs/source.js';
import { WEBHOOK_TLS_SECRET, decodeTlsSecret } from '../../src/webhook/certs/secret.js';
import { FakeTimers, recordingLogger, type LogLine } from '../serve/fixtures.js';
import { MemoryClient } from './memory-client.js';

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;
const POLICY: RotationPolicy = {
  caValidityMs: 10 * DAY,
  caRenewBeforeMs: 3 * DAY,
  servingValidityMs: 2 * DAY,
  servingRenewBeforeMs: 1 * DAY,
  overlapMs: HOUR,
};

function certificates(bundle: string): X509Certificate[] {
  return [...bundle.matchAll(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n?/g)].map(
    (m) => new X509Certificate(m[0]),
  );
}

/** True when the serving leaf was signed by one of the bundle's CAs. */
function verifies(leafPem: string, bundle: string): boolean {
  const leaf = certificates(leafPem)[0];
  return (
    leaf !== undefined && certificates(bundle).some((ca) => leaf.checkIssued(ca) && leaf.verify(ca.publicKey))
  );
}

interface Fixture {
  client: MemoryClient;
  timers: FakeTimers;
  tls: SelfManagedTls;
  served: TlsUpdate[];
  lines: LogLine[];
  leader: { is: boolean };
}

function fixture(client = new MemoryClient(), timers = new FakeTimers()): Fixture {
  const served: TlsUpdate[] = [];
  const lines: LogLine[] = [];
  const leader = { is: true };
  const tls = new SelfManagedTls({
    client,
    namespace: 'aspen-system',
    policy: POLICY,
    isLeader: () => leader.is,
    clock: timers,
    timers,
    logger: recordingLogger(lines),
    pollMs: 30 * DAY,
  });
  tls.onUpdate((u) => served.push(u));
  return { client, timers, tls, served, lines, leader };
}

function servedCa(f: Fixture): string {
  return f.client.caBundle('validating');
}

interface Step {
  bundle: string;
  serving: string;
}

/** The overlap rule: every certificate served verifies with the bundle before and after its own change. */
function checkOverlap(history: readonly Step[]): void {
  history.forEach((step, i) => {
    expect(verifies(step.serving, step.bundle), `step ${i} own bundle`).to.equal(true);
    const previous = history[i - 1];
    if (previous !== undefined) {
      expect(verifies(step.serving, previous.bundle), `step ${i} previous bundle`).to.equal(true);
    }
  });
}

/** The certificate served last. */
function lastServed(f: Fixture): TlsUpdate {
  const update = f.served.at(-1);
  if (update === undefined) throw new Error('nothing served');
  return update;
}

/** The first certificate of a PEM bundle. */
function first(bundle: string): X509Certificate {
  const certificate = certificates(bundle)[0];
  if (certificate === undefined) throw new Error('no certificate');
  return certificate;
}

describe('self-managed webhook certificates', () => {
  it('issues a CA and a serving certificate for the Service names, stores them, patches every caBundle', async () => {
    const f = fixture();
    await f.tls.sync();
    const update = lastServed(f);
    const leaf = first(update.certificatePem);
    expect(leaf.subjectAltName).to.equal(
      'DNS:aspen.aspen-system.svc, DNS:aspen.aspen-system.svc.cluster.local',
    );
    expect(leaf.ca).to.equal(false);
    expect(verifies(update.certificatePem, servedCa(f))).to.equal(true);
    expect(f.client.caBundle('mutating')).to.equal(servedCa(f));
    expect(f.client.caBundle('validating')).to.equal(update.caBundlePem);
    const stored = f.client.secrets.get(`aspen-system/${WEBHOOK_TLS_SECRET}`);
    expect(Object.keys(stored?.data ?? {}).sort()).to.deep.equal(['ca.crt', 'ca.key', 'tls.crt', 'tls.key']);
    // Every webhook entry of both configurations carries it (two injection entries, one validation entry).
    const mutating = (await f.client.readWebhooks('mutating')) ?? [];
    expect(mutating.map((w) => w.caBundle !== '')).to.deep.equal([true, true]);
  });

  it('changes nothing when nothing is due, and a follower never writes', async () => {
    const f = fixture();
    await f.tls.sync();
    const calls = f.client.calls.length;
    await f.tls.sync();
    expect(f.client.calls.length).to.equal(calls);
    const follower = fixture(f.client);
    follower.leader.is = false;
    await follower.tls.sync();
    expect(f.client.calls.length).to.equal(calls);
    expect(follower.served.at(-1)?.certificatePem).to.equal(f.served.at(-1)?.certificatePem);
  });

  it('a follower serves nothing until the leader has written the Secret', async () => {
    const f = fixture();
    f.leader.is = false;
    await f.tls.sync();
    expect(f.served).to.deep.equal([]);
    expect(f.client.secrets.size).to.equal(0);
  });

  it('rotates the serving certificate before it expires, under the same CA', async () => {
    const f = fixture();
    await f.tls.sync();
    const first = f.served.at(-1)?.certificatePem ?? '';
    f.timers.advance(1 * DAY - HOUR);
    await f.tls.sync();
    expect(f.served.at(-1)?.certificatePem).to.equal(first);
    f.timers.advance(2 * HOUR);
    await f.tls.sync();
    const second = f.served.at(-1)?.certificatePem ?? '';
    expect(second).to.not.equal(first);
    expect(certificates(servedCa(f))).to.have.length(1);
    expect(verifies(second, servedCa(f))).to.equal(true);
  });

  it('rotates the CA with overlap: staged first, then signing, then the old one retires', async () => {
    const f = fixture();
    await f.tls.sync();
    const history: Step[] = [];
    const record = (): void => {
      history.push({ bundle: servedCa(f), serving: lastServed(f).certificatePem });
    };
    record();
    const oldest = first(servedCa(f)).toString();
    // Day 7 + 1 min: the CA is within caRenewBefore of expiry → a second CA is staged, not yet signing.
    f.timers.advance(7 * DAY + 60_000);
    await f.tls.sync();
    record();
    expect(certificates(servedCa(f))).to.have.length(2);
    expect(verifies(lastServed(f).certificatePem, oldest)).to.equal(true);
    // One overlap later the new CA signs; the old one is still in the bundle.
    f.timers.advance(HOUR);
    await f.tls.sync();
    record();
    expect(certificates(servedCa(f))).to.have.length(2);
    const newest = first(servedCa(f)).toString();
    expect(verifies(lastServed(f).certificatePem, newest)).to.equal(true);
    // One more overlap and the old CA leaves the bundle.
    f.timers.advance(HOUR);
    await f.tls.sync();
    record();
    expect(certificates(servedCa(f)).map((c) => c.toString())).to.deep.equal([newest]);
    checkOverlap(history);
  });

  it('schedules the next sync for the next change, not later', async () => {
    const f = fixture();
    await f.tls.sync();
    // Next due: the serving certificate's renewal one day before its 2-day lifetime ends (one timer waiting).
    expect(f.timers.waiting).to.equal(1);
    const state = decodeTlsSecret(f.client.secrets.get(`aspen-system/${WEBHOOK_TLS_SECRET}`)?.data).state;
    const step = nextStep(state, f.timers.now(), {
      policy: POLICY,
      dnsNames: ['aspen.aspen-system.svc', 'aspen.aspen-system.svc.cluster.local'],
    });
    expect(step.kind).to.equal('none');
    if (step.kind === 'none') {
      expect(step.nextCheckAt.getTime() - f.timers.now().getTime()).to.be.within(DAY - 2 * 60_000, DAY);
    }
  });

  it('regenerates an unreadable Secret', async () => {
    const f = fixture();
    f.client.secrets.set(`aspen-system/${WEBHOOK_TLS_SECRET}`, {
      data: { 'tls.crt': 'garbage' },
      resourceVersion: '7',
    });
    await f.tls.sync();
    expect(f.served).to.have.length(1);
    expect(verifies(f.served[0]?.certificatePem ?? '', servedCa(f))).to.equal(true);
  });

  it('two leaders at once: the one whose create conflicts serves what the other stored', async () => {
    const a = fixture();
    await a.tls.sync();
    const b = fixture(a.client);
    // b read before a wrote: it sees no Secret, generates its own, and its create conflicts.
    const read = a.client.readSecret.bind(a.client);
    let first = true;
    a.client.readSecret = async (namespace, name) => {
      if (!first) return read(namespace, name);
      first = false;
      return undefined;
    };
    await b.tls.sync();
    expect(b.served.at(-1)?.certificatePem).to.equal(a.served.at(-1)?.certificatePem);
    expect(a.client.calls.filter((c) => c.startsWith('create'))).to.have.length(2);
  });

  it('never logs key material', async () => {
    const f = fixture();
    await f.tls.sync();
    f.timers.advance(7 * DAY + 60_000);
    await f.tls.sync();
    expect(JSON.stringify(f.lines)).to.not.match(/PRIVATE KEY|MII/);
    expect(f.lines.map((l) => l.message)).to.include('caBundle patched');
  });
});
