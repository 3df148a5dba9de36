import { expect } from 'chai';
import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { inspect } from 'node:util';
import { issueSvid } from '../../src/ca/issue.js';
import { generateKeyPair, privateKeyToPem } from '../../src/ca/keys.js';
import { caFromPem, caToPem } from '../../src/ca/pem.js';
import { newCaState } from '../../src/ca/state.js';
import type { CaResult, CaSigner } from '../../src/ca/types.js';
import { WorkloadCa } from '../../src/ca/workload-ca.js';
import {
  BasicConstraintsExtension,
  KeyUsageFlags,
  KeyUsagesExtension,
  SubjectAlternativeNameExtension,
  X509Certificate,
  X509CertificateGenerator,
  certificateToPem,
  webCrypto,
} from '../../src/ca/x509.js';
import { at, DAY, parseChain, root, T0, unwrap } from './fixtures.js';

const cart = { namespace: 'shop', serviceAccount: 'cart' };

async function intermediateUnder(parent: CaSigner): Promise<{ certPem: string; keyPem: string }> {
  const keys = await generateKeyPair();
  const cert = await X509CertificateGenerator.create(
    {
      serialNumber: '0badc0de',
      subject: 'CN=aspen intermediate, O=example',
      issuer: new X509Certificate(parent.certificatePem).subjectName,
      notBefore: T0,
      notAfter: new Date(T0.getTime() + 90 * DAY),
      publicKey: keys.publicKey,
      signingKey: parent.privateKey,
      signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
      extensions: [
        new BasicConstraintsExtension(true, 0, true),
        new KeyUsagesExtension(KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign, true),
        new SubjectAlternativeNameExtension([{ type: 'url', value: 'spiffe://cluster.local' }]),
      ],
    },
    webCrypto,
  );
  return { certPem: certificateToPem(cert), keyPem: (await privateKeyToPem(keys.privateKey)).reveal() };
}

function expectError<T>(result: CaResult<T>, code: string): string {
  expect(result.ok ? 'ok' : result.error.code).to.equal(code);
  const text = JSON.stringify(result);
  expect(text).to.not.contain('PRIVATE KEY');
  return text;
}

describe('ca: PEM storage', () => {
  it('round-trips a generated root: the reloaded CA issues SVIDs that verify against the original root', async () => {
    const original = await root();
    const stored = await caToPem(original);
    expect(stored.certificatePem).to.equal(original.anchorPem);
    expect(stored.privateKeyPem.reveal()).to.match(/^-----BEGIN PRIVATE KEY-----/);
    const loaded = unwrap(await caFromPem(stored.certificatePem, stored.privateKeyPem.reveal()));
    expect(loaded.trustDomain).to.equal('cluster.local');
    expect(loaded.anchorPem).to.equal(original.anchorPem);
    expect(loaded.issuerChainPem).to.deep.equal([]);
    expect(loaded.notAfter.getTime()).to.equal(original.notAfter.getTime());
    const svid = unwrap(await issueSvid(newCaState(loaded), cart, { clock: at(0) }));
    const anchor = new X509Certificate(original.anchorPem);
    const leaf = parseChain(svid.certificatePem)[0];
    expect(await leaf?.verify({ publicKey: anchor.publicKey, date: at(1)() }, webCrypto)).to.equal(true);
    expect(await caToPem(loaded)).to.deep.include({ certificatePem: stored.certificatePem });
  });

  it('accepts a SEC1 "EC PRIVATE KEY" as cert-manager writes it', async () => {
    const original = await root();
    const pkcs8 = (await caToPem(original)).privateKeyPem.reveal();
    const sec1 = createPrivateKey(pkcs8).export({ format: 'pem', type: 'sec1' }) as string;
    expect(sec1).to.contain('BEGIN EC PRIVATE KEY');
    expect(unwrap(await caFromPem(original.certificatePem, sec1)).anchorPem).to.equal(original.anchorPem);
  });

  it('loads an intermediate with its chain; SVIDs carry the intermediate and the bundle holds the root', async () => {
    const top = await root();
    const intermediate = await intermediateUnder(top);
    const signer = unwrap(await caFromPem(intermediate.certPem + top.anchorPem, intermediate.keyPem));
    expect(signer.anchorPem).to.equal(top.anchorPem);
    expect(signer.issuerChainPem).to.deep.equal([intermediate.certPem]);
    const state = newCaState(signer);
    const svid = unwrap(await issueSvid(state, cart, { clock: at(DAY) }));
    const [leaf, inter] = parseChain(svid.certificatePem);
    expect(inter && certificateToPem(inter)).to.equal(intermediate.certPem);
    expect(await leaf?.verify({ publicKey: inter?.publicKey, signatureOnly: true }, webCrypto)).to.equal(
      true,
    );
    expect(
      await inter?.verify(
        { publicKey: new X509Certificate(top.anchorPem).publicKey, date: at(DAY)() },
        webCrypto,
      ),
    ).to.equal(true);
    const stored = await caToPem(signer);
    expect(parseChain(stored.certificatePem)).to.have.length(2);
    expect(
      unwrap(await caFromPem(stored.certificatePem, stored.privateKeyPem.reveal())).issuerChainPem,
    ).to.deep.equal([intermediate.certPem]);
  });

  it('requires the chain to reach a self-signed root', async () => {
    const intermediate = await intermediateUnder(await root());
    expectError(await caFromPem(intermediate.certPem, intermediate.keyPem), 'invalid-certificate');
  });

  it('rejects a key that does not belong to the certificate without printing either key', async () => {
    const a = await root();
    const b = await root();
    const bKey = (await caToPem(b)).privateKeyPem.reveal();
    const text = expectError(await caFromPem(a.certificatePem, bKey), 'key-mismatch');
    expect(text).to.not.contain(bKey.split('\n')[1]);
  });

  it('rejects garbage, swapped and encrypted inputs without echoing them', async () => {
    const ca = await root();
    const keyPem = (await caToPem(ca)).privateKeyPem.reveal();
    expectError(await caFromPem(ca.certificatePem, 'not a key'), 'invalid-private-key');
    expectError(await caFromPem(keyPem, keyPem), 'invalid-certificate');
    expectError(await caFromPem(ca.certificatePem, ca.certificatePem), 'invalid-private-key');
    const encrypted = createPrivateKey(keyPem).export({
      format: 'pem',
      type: 'pkcs8',
      cipher: 'aes-256-cbc',
      passphrase: 'secret',
    }) as string;
    const text = expectError(await caFromPem(ca.certificatePem, encrypted), 'invalid-private-key');
    expect(text).to.contain('encrypted');
  });

  it('rejects RSA keys and non-CA certificates', async () => {
    const ca = await root();
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({
      format: 'pem',
      type: 'pkcs8',
    });
    expectError(await caFromPem(ca.certificatePem, rsa as string), 'unsupported-key');
    const svid = unwrap(await issueSvid(newCaState(ca), cart, { clock: at(0) }));
    expectError(
      await caFromPem(svid.certificatePem, svid.privateKeyPem?.reveal() ?? ''),
      'invalid-certificate',
    );
  });

  it('takes the trust domain from the certificate, and refuses a conflicting one', async () => {
    const ca = await root(0, 365 * DAY, 'prod.example.org');
    const keyPem = (await caToPem(ca)).privateKeyPem.reveal();
    expect(unwrap(await caFromPem(ca.certificatePem, keyPem)).trustDomain).to.equal('prod.example.org');
    expectError(
      await caFromPem(ca.certificatePem, keyPem, { trustDomain: 'cluster.local' }),
      'trust-domain-mismatch',
    );
  });

  it('validates a trust domain passed for a certificate without a SPIFFE SAN', async () => {
    const keys = await generateKeyPair();
    const plain = await X509CertificateGenerator.createSelfSigned(
      {
        serialNumber: '01',
        name: 'CN=corporate root',
        notBefore: T0,
        notAfter: new Date(T0.getTime() + DAY),
        keys,
        signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
        extensions: [new BasicConstraintsExtension(true, undefined, true)],
      },
      webCrypto,
    );
    const keyPem = (await privateKeyToPem(keys.privateKey)).reveal();
    const certPem = certificateToPem(plain);
    expectError(await caFromPem(certPem, keyPem), 'invalid-certificate');
    expectError(await caFromPem(certPem, keyPem, { trustDomain: 'Bad Domain' }), 'invalid-trust-domain');
    expect(unwrap(await caFromPem(certPem, keyPem, { trustDomain: 'corp.example' })).trustDomain).to.equal(
      'corp.example',
    );
  });

  it('WorkloadCa.fromPem restores a stored CA', async () => {
    const stored = await caToPem(await root());
    const ca = unwrap(
      await WorkloadCa.fromPem(stored.certificatePem, stored.privateKeyPem.reveal(), { clock: at(0) }),
    );
    expect((await ca.toPem()).certificatePem).to.equal(stored.certificatePem);
  });
});

describe('ca: private keys never leak into logs', () => {
  it('redacts keys in JSON, string and inspect output of SVIDs and stored CAs', async () => {
    const ca = await root();
    const svid = unwrap(await issueSvid(newCaState(ca), cart, { clock: at(0) }));
    const stored = await caToPem(ca);
    for (const value of [svid, stored, ca, newCaState(ca)]) {
      expect(JSON.stringify(value)).to.not.contain('PRIVATE KEY');
      expect(inspect(value, { depth: 10 })).to.not.contain('PRIVATE KEY');
    }
    expect(`${String(svid.privateKeyPem)}`).to.not.contain('PRIVATE KEY');
    expect(svid.privateKeyPem?.reveal()).to.contain('PRIVATE KEY');
  });
});
