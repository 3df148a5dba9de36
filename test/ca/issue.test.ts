import { expect } from 'chai';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { issueFor, issueSvid } from '../../src/ca/issue.js';
import { generateKeyPair } from '../../src/ca/keys.js';
import { newCaState } from '../../src/ca/state.js';
import {
  AuthorityKeyIdentifierExtension,
  BasicConstraintsExtension,
  ExtendedKeyUsage,
  ExtendedKeyUsageExtension,
  KeyUsageFlags,
  KeyUsagesExtension,
  Pkcs10CertificateRequestGenerator,
  SubjectAlternativeNameExtension,
  SubjectKeyIdentifierExtension,
  X509Certificate,
  webCrypto,
} from '../../src/ca/x509.js';
import { at, caState, DAY, HOUR, leafOf, root, T0, unwrap } from './fixtures.js';

const cart = { namespace: 'shop', serviceAccount: 'cart' };

describe('ca: issuing X.509-SVIDs', () => {
  it('puts exactly one URI SAN, the workload SPIFFE ID, in the leaf', async () => {
    const svid = unwrap(await issueSvid(await caState(), cart, { clock: at(0) }));
    const leaf = leafOf(svid.certificatePem);
    const names = leaf.getExtension(SubjectAlternativeNameExtension)?.names.items ?? [];
    expect(names.map((n) => [n.type, n.value])).to.deep.equal([
      ['url', 'spiffe://cluster.local/ns/shop/sa/cart'],
    ]);
    expect(svid.spiffeId).to.equal('spiffe://cluster.local/ns/shop/sa/cart');
    expect(leaf.subject).to.equal('');
    expect(leaf.getExtension(SubjectAlternativeNameExtension)?.critical).to.equal(true);
  });

  it('marks the leaf as an end entity for TLS server and client use', async () => {
    const leaf = leafOf(unwrap(await issueSvid(await caState(), cart, { clock: at(0) })).certificatePem);
    const constraints = leaf.getExtension(BasicConstraintsExtension);
    expect(constraints?.ca).to.equal(false);
    expect(constraints?.critical).to.equal(true);
    const usage = leaf.getExtension(KeyUsagesExtension)?.usages ?? 0;
    expect(usage & KeyUsageFlags.digitalSignature).to.not.equal(0);
    expect(usage & (KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign)).to.equal(0);
    expect(leaf.getExtension(ExtendedKeyUsageExtension)?.usages).to.have.members([
      ExtendedKeyUsage.serverAuth,
      ExtendedKeyUsage.clientAuth,
    ]);
  });

  it('uses a random 128-bit serial and key identifiers linking leaf to issuer', async () => {
    const state = await caState();
    const a = unwrap(await issueSvid(state, cart, { clock: at(0) }));
    const b = unwrap(await issueSvid(state, cart, { clock: at(0) }));
    expect(a.serialNumber).to.not.equal(b.serialNumber);
    expect(a.serialNumber.replace(/^00/, '')).to.have.length.of.at.most(32);
    const leaf = leafOf(a.certificatePem);
    const ca = new X509Certificate(state.active.certificatePem);
    const aki = leaf.getExtension(AuthorityKeyIdentifierExtension);
    const caSki = ca.getExtension(SubjectKeyIdentifierExtension);
    expect(aki?.keyId).to.be.a('string').and.equal(caSki?.keyId);
    expect(leaf.getExtension(SubjectKeyIdentifierExtension)?.keyId).to.be.a('string');
  });

  it('expires at issue time + TTL (default 24 h) and backdates notBefore by the skew allowance', async () => {
    const svid = unwrap(await issueSvid(await caState(), cart, { clock: at(2 * HOUR) }));
    expect(svid.notAfter.toISOString()).to.equal(new Date(T0.getTime() + 2 * HOUR + DAY).toISOString());
    expect(svid.notBefore.toISOString()).to.equal(new Date(T0.getTime() + 2 * HOUR - 60_000).toISOString());
    const leaf = leafOf(svid.certificatePem);
    expect(leaf.notAfter.getTime()).to.equal(svid.notAfter.getTime());
    expect(leaf.notBefore.getTime()).to.equal(svid.notBefore.getTime());
  });

  it('honours a shorter TTL but never exceeds the CA maximum', async () => {
    const state = await caState();
    const short = unwrap(await issueSvid(state, cart, { clock: at(0), ttlMs: HOUR }));
    expect(short.notAfter.getTime()).to.equal(T0.getTime() + HOUR);
    const long = unwrap(await issueSvid(state, cart, { clock: at(0), ttlMs: 30 * DAY }));
    expect(long.notAfter.getTime()).to.equal(T0.getTime() + DAY);
  });

  it('caps notAfter at the CA expiry', async () => {
    const state = await caState(10 * DAY);
    const svid = unwrap(await issueSvid(state, cart, { clock: at(10 * DAY - HOUR) }));
    expect(svid.notAfter.getTime()).to.equal(state.active.notAfter.getTime());
    expect(svid.notAfter.getTime()).to.equal(T0.getTime() + 10 * DAY);
  });

  it('refuses to issue outside the CA validity', async () => {
    const state = await caState(10 * DAY);
    const expired = await issueSvid(state, cart, { clock: at(10 * DAY) });
    expect(expired.ok).to.equal(false);
    if (!expired.ok) expect(expired.error.code).to.equal('ca-not-valid');
    const early = await issueSvid(state, cart, { clock: at(-HOUR) });
    expect(early.ok ? 'issued' : early.error.code).to.equal('ca-not-valid');
  });

  it('issues a leaf whose signature verifies against the root, valid at issue time', async () => {
    const state = await caState();
    const svid = unwrap(await issueSvid(state, cart, { clock: at(HOUR) }));
    const rootCert = new X509Certificate(state.active.anchorPem);
    const leaf = leafOf(svid.certificatePem);
    expect(await leaf.verify({ publicKey: rootCert.publicKey, date: at(HOUR)() }, webCrypto)).to.equal(true);
    expect(
      await leaf.verify({ publicKey: rootCert.publicKey, date: at(HOUR + DAY + 1)() }, webCrypto),
    ).to.equal(false);
    const other = new X509Certificate((await root()).anchorPem);
    expect(await leaf.verify({ publicKey: other.publicKey, signatureOnly: true }, webCrypto)).to.equal(false);
  });

  it('returns a generated P-256 private key that belongs to the certificate', async () => {
    const svid = unwrap(await issueSvid(await caState(), cart, { clock: at(0) }));
    const pem = svid.privateKeyPem?.reveal() ?? '';
    expect(pem).to.match(/^-----BEGIN PRIVATE KEY-----/);
    const key = createPrivateKey(pem);
    expect(key.asymmetricKeyDetails?.namedCurve).to.equal('prime256v1');
    const fromKey = createPublicKey(key).export({ format: 'der', type: 'spki' });
    const fromCert = createPublicKey(leafOf(svid.certificatePem).toString('pem')).export({
      format: 'der',
      type: 'spki',
    });
    expect(Buffer.compare(fromKey, fromCert)).to.equal(0);
  });

  it('certifies a caller-supplied public key without returning a private key', async () => {
    const pair = await generateKeyPair();
    const svid = unwrap(
      await issueSvid(await caState(), { ...cart, key: { publicKey: pair.publicKey } }, { clock: at(0) }),
    );
    expect(svid.privateKeyPem).to.equal(undefined);
    const spki = Buffer.from(await webCrypto.subtle.exportKey('spki', pair.publicKey));
    expect(Buffer.compare(Buffer.from(leafOf(svid.certificatePem).publicKey.rawData), spki)).to.equal(0);
  });

  it('certifies the key of a valid CSR and ignores the names the CSR asks for', async () => {
    const keys = await generateKeyPair();
    const csr = await Pkcs10CertificateRequestGenerator.create(
      {
        name: 'CN=admin',
        keys,
        signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
        extensions: [
          new SubjectAlternativeNameExtension([
            { type: 'url', value: 'spiffe://cluster.local/ns/kube-system/sa/admin' },
          ]),
        ],
      },
      webCrypto,
    );
    const svid = unwrap(
      await issueSvid(await caState(), { ...cart, key: { csrPem: csr.toString('pem') } }, { clock: at(0) }),
    );
    const names =
      leafOf(svid.certificatePem).getExtension(SubjectAlternativeNameExtension)?.names.items ?? [];
    expect(names.map((n) => n.value)).to.deep.equal(['spiffe://cluster.local/ns/shop/sa/cart']);
    expect(leafOf(svid.certificatePem).subject).to.equal('');
  });

  it('rejects a CSR that is not PKCS#10', async () => {
    const result = await issueSvid(
      await caState(),
      { ...cart, key: { csrPem: 'garbage' } },
      { clock: at(0) },
    );
    expect(result.ok ? 'issued' : result.error.code).to.equal('invalid-csr');
  });

  it('rejects identities that would not form a valid SPIFFE ID', async () => {
    const state = await caState();
    for (const bad of [
      { namespace: '', serviceAccount: 'cart' },
      { namespace: 'shop', serviceAccount: '..' },
      { namespace: 'shop/sa/admin', serviceAccount: 'cart' },
    ]) {
      const result = await issueSvid(state, bad, { clock: at(0) });
      expect(result.ok ? 'issued' : result.error.code, JSON.stringify(bad)).to.equal('invalid-identity');
    }
  });
});

describe('ca: refusing to issue for another identity', () => {
  it('issues for the authenticated caller itself', async () => {
    const result = await issueFor(await caState(), cart, cart, { clock: at(0) });
    expect(result.ok).to.equal(true);
  });

  it('refuses another service account in the same namespace, naming both identities', async () => {
    const result = await issueFor(
      await caState(),
      { ...cart, authenticatedBy: 'tokenreview' },
      { namespace: 'shop', serviceAccount: 'payments' },
      { clock: at(0) },
    );
    expect(result.ok).to.equal(false);
    if (result.ok) return;
    expect(result.error.code).to.equal('identity-mismatch');
    expect(result.error.message)
      .to.contain('shop/payments')
      .and.contain('shop/cart')
      .and.contain('tokenreview');
  });

  it('refuses the same service account name in another namespace', async () => {
    const result = await issueFor(
      await caState(),
      cart,
      { namespace: 'bank', serviceAccount: 'cart' },
      { clock: at(0) },
    );
    expect(result.ok ? 'issued' : result.error.code).to.equal('identity-mismatch');
  });

  it('issues under the configured trust domain only', async () => {
    const state = newCaState(await root(0, 365 * DAY, 'prod.example.org'));
    const svid = unwrap(await issueFor(state, cart, cart, { clock: at(0) }));
    expect(svid.spiffeId).to.equal('spiffe://prod.example.org/ns/shop/sa/cart');
  });
});
