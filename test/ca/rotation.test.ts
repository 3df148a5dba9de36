import { expect } from 'chai';
import { issueSvid } from '../../src/ca/issue.js';
import {
  newCaState,
  pruneBundle,
  rotateRoot,
  stageRoot,
  trustBundle,
  trustedRoots,
} from '../../src/ca/state.js';
import type { CaState } from '../../src/ca/types.js';
import { WorkloadCa } from '../../src/ca/workload-ca.js';
import { X509Certificate, certificateToPem, webCrypto } from '../../src/ca/x509.js';
import { at, DAY, HOUR, leafOf, parseChain, root, T0, unwrap } from './fixtures.js';

const cart = { namespace: 'shop', serviceAccount: 'cart' };

async function signedBy(certificatePem: string, anchorPem: string): Promise<boolean> {
  const anchor = new X509Certificate(anchorPem);
  return leafOf(certificatePem).verify({ publicKey: anchor.publicKey, signatureOnly: true }, webCrypto);
}

describe('ca: trust bundle and root rotation', () => {
  let oldRootPem: string;
  let newRootPem: string;
  let rotated: CaState;
  let before: CaState;

  beforeEach(async () => {
    const oldRoot = await root(0);
    const newRoot = await root(30 * DAY);
    before = newCaState(oldRoot);
    rotated = unwrap(rotateRoot(before, newRoot, at(30 * DAY)));
    oldRootPem = oldRoot.anchorPem;
    newRootPem = newRoot.anchorPem;
  });

  it('trusts only the active root before any rotation', () => {
    expect(trustedRoots(before, at(0))).to.deep.equal([oldRootPem]);
    expect(parseChain(trustBundle(before, at(0)))).to.have.length(1);
  });

  it('keeps the old and the new root in the bundle during the overlap', () => {
    const bundle = trustBundle(rotated, at(30 * DAY + HOUR));
    const roots = parseChain(bundle).map(certificateToPem);
    expect(roots).to.deep.equal([newRootPem, oldRootPem]);
  });

  it('signs new SVIDs with the new root only', async () => {
    const svid = unwrap(await issueSvid(rotated, cart, { clock: at(30 * DAY + HOUR) }));
    expect(await signedBy(svid.certificatePem, newRootPem)).to.equal(true);
    expect(await signedBy(svid.certificatePem, oldRootPem)).to.equal(false);
  });

  it('keeps the old root until the last SVID it can have signed expires', async () => {
    const last = unwrap(await issueSvid(before, cart, { clock: at(30 * DAY) }));
    expect(rotated.retired.map((r) => r.trustedUntil.toISOString())).to.deep.equal([
      last.notAfter.toISOString(),
    ]);
    const justBefore = at(last.notAfter.getTime() - T0.getTime() - 1);
    expect(trustedRoots(rotated, justBefore)).to.include(oldRootPem);
    expect(pruneBundle(rotated, justBefore)).to.equal(rotated);
  });

  it('prunes the old root once the overlap has ended', () => {
    const after = at(31 * DAY);
    const pruned = pruneBundle(rotated, after);
    expect(pruned.retired).to.deep.equal([]);
    expect(trustedRoots(pruned, after)).to.deep.equal([newRootPem]);
    expect(trustBundle(rotated, after), 'an unpruned state still reports only current roots').to.equal(
      trustBundle(pruned, after),
    );
  });

  it('ends the overlap early when the old root itself expires first', async () => {
    const shortRoot = await root(0, 30 * DAY + 2 * HOUR);
    const state = unwrap(rotateRoot(newCaState(shortRoot), await root(30 * DAY), at(30 * DAY)));
    expect(state.retired[0]?.trustedUntil.getTime()).to.equal(shortRoot.notAfter.getTime());
  });

  it('refuses a new root for a different trust domain', async () => {
    const result = rotateRoot(before, await root(0, 365 * DAY, 'other.example'), at(0));
    expect(result.ok ? 'rotated' : result.error.code).to.equal('trust-domain-mismatch');
  });

  it('handles a second rotation during the overlap: both retired roots stay until their own deadlines', async () => {
    const third = await root(31 * DAY - HOUR);
    const twice = unwrap(rotateRoot(rotated, third, at(30 * DAY + 12 * HOUR)));
    expect(twice.retired.map((r) => r.anchorPem)).to.deep.equal([oldRootPem, newRootPem]);
    expect(trustedRoots(twice, at(31 * DAY + HOUR))).to.deep.equal([third.anchorPem, newRootPem]);
    expect(trustedRoots(twice, at(32 * DAY))).to.deep.equal([third.anchorPem]);
  });

  it('can stage the new root in the bundle before it signs anything', async () => {
    const next = await root(30 * DAY);
    const staged = unwrap(stageRoot(before, next));
    expect(trustedRoots(staged, at(30 * DAY))).to.deep.equal([oldRootPem, next.anchorPem]);
    const stillOld = unwrap(await issueSvid(staged, cart, { clock: at(30 * DAY) }));
    expect(await signedBy(stillOld.certificatePem, oldRootPem)).to.equal(true);
    expect(unwrap(stageRoot(staged, next))).to.equal(staged);

    const activated = unwrap(rotateRoot(staged, next, at(30 * DAY + HOUR)));
    expect(activated.staged).to.deep.equal([]);
    expect(trustedRoots(activated, at(30 * DAY + HOUR))).to.deep.equal([next.anchorPem, oldRootPem]);
    const fresh = unwrap(await issueSvid(activated, cart, { clock: at(30 * DAY + HOUR) }));
    expect(await signedBy(fresh.certificatePem, next.anchorPem)).to.equal(true);
    expect(stageRoot(before, await root(0, DAY, 'other.example')).ok).to.equal(false);
  });

  it('rotating back to a retired root makes it active and drops it from the retired list', () => {
    const back = unwrap(rotateRoot(rotated, before.active, at(30 * DAY + HOUR)));
    expect(back.active.anchorPem).to.equal(oldRootPem);
    expect(back.retired.map((r) => r.anchorPem)).to.deep.equal([newRootPem]);
  });
});

describe('ca: WorkloadCa', () => {
  it('issues, rotates and prunes through one object driven by an injected clock', async () => {
    let now = T0;
    const clock = (): Date => now;
    const ca = unwrap(await WorkloadCa.generate({ clock, trustDomain: 'cluster.local' }));
    const first = unwrap(await ca.issueFor(cart, cart));
    const oldRoot = ca.state.active.anchorPem;

    now = new Date(T0.getTime() + 10 * DAY);
    const next = await root(10 * DAY);
    unwrap(ca.rotateRoot(next));
    expect(parseChain(ca.trustBundle())).to.have.length(2);
    const second = unwrap(await ca.issueFor(cart, cart));
    expect(await signedBy(second.certificatePem, next.anchorPem)).to.equal(true);
    expect(await signedBy(first.certificatePem, oldRoot)).to.equal(true);
    expect(ca.pruneBundle()).to.equal(false);

    now = new Date(T0.getTime() + 11 * DAY);
    expect(ca.pruneBundle()).to.equal(true);
    expect(parseChain(ca.trustBundle()).map(certificateToPem)).to.deep.equal([next.anchorPem]);

    const refused = await ca.issueFor(cart, { namespace: 'shop', serviceAccount: 'admin' });
    expect(refused.ok ? 'issued' : refused.error.code).to.equal('identity-mismatch');
  });
});
