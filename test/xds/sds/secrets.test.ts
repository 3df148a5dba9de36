import { expect } from 'chai';
import { inspect } from 'node:util';
import { trustBundle } from '../../../src/ca/state.js';
import { SubjectAlternativeNameExtension } from '../../../src/ca/x509.js';
import { Secret } from '../../../src/gen/envoy/extensions/transport_sockets/tls/v3/secret.js';
import { unpackAnyAs } from '../../../src/xds/proto/any.js';
import { SnapshotCache } from '../../../src/xds/cache/cache.js';
import {
  SECRET_TYPE_URL,
  encodeSecrets,
  proxySecrets,
  proxySecretsWith,
} from '../../../src/xds/sds/secrets.js';
import { TRUST_BUNDLE_SECRET, WORKLOAD_CERT_SECRET } from '../../../src/xds/translate/names.js';
import { DAY, HOUR, T0, at, caState, leafOf, unwrap } from '../../ca/fixtures.js';

const ORDERS = { namespace: 'shop', serviceAccount: 'orders', authenticatedBy: 'token' };

function text(source: { specifier?: { $case: string; value: unknown } } | undefined): string {
  const value = source?.specifier?.value;
  return value instanceof Uint8Array ? new TextDecoder().decode(value) : String(value);
}

describe('sds proxySecrets', () => {
  it('issues the caller its SVID (default) and the trust bundle (ROOTCA)', async () => {
    const ca = await caState();
    const result = unwrap(await proxySecrets(ca, ORDERS, at(0), () => 0.5));
    expect(result.secrets.map((s) => s.name)).to.deep.equal([WORKLOAD_CERT_SECRET, TRUST_BUNDLE_SECRET]);
    const [cert, bundle] = result.secrets as [Secret, Secret];
    expect(cert.type?.$case).to.equal('tlsCertificate');
    if (cert.type?.$case !== 'tlsCertificate') throw new Error('unreachable');
    const chain = text(cert.type.value.certificateChain);
    const san = leafOf(chain).getExtension(SubjectAlternativeNameExtension);
    expect(san?.names.items.map((n) => n.value)).to.deep.equal(['spiffe://cluster.local/ns/shop/sa/orders']);
    expect(text(cert.type.value.privateKey)).to.include('BEGIN PRIVATE KEY');
    if (bundle.type?.$case !== 'validationContext') throw new Error('ROOTCA is not a validation context');
    expect(text(bundle.type.value.trustedCa)).to.equal(trustBundle(ca, at(0)));
    // Encodes as a real Secret.
    expect(Secret.decode(Secret.encode(cert).finish()).name).to.equal(WORKLOAD_CERT_SECRET);
  });

  it('renews at half the lifetime (random 0.5 = no jitter)', async () => {
    const result = unwrap(await proxySecrets(await caState(), ORDERS, at(0), () => 0.5));
    const { notBefore, notAfter } = result.svid;
    expect(result.renewAt.getTime()).to.equal((notBefore.getTime() + notAfter.getTime()) / 2);
    expect(notAfter.getTime()).to.equal(T0.getTime() + DAY);
  });

  it('jitters renewal within 40 %–60 % of the lifetime and honours a shorter ttl', async () => {
    const ca = await caState();
    const early = unwrap(
      await proxySecretsWith(ca, ORDERS, { clock: at(0), random: () => 0, ttlMs: 10 * HOUR }),
    );
    const late = unwrap(
      await proxySecretsWith(ca, ORDERS, { clock: at(0), random: () => 0.999999, ttlMs: 10 * HOUR }),
    );
    const start = early.svid.notBefore.getTime();
    const life = early.svid.notAfter.getTime() - start;
    expect(early.renewAt.getTime()).to.equal(start + life * 0.4);
    expect(late.renewAt.getTime()).to.be.closeTo(start + life * 0.6, 10);
  });

  it('refuses to issue for another identity', async () => {
    const result = await proxySecrets(
      await caState(),
      { ...ORDERS, requested: { namespace: 'shop', serviceAccount: 'payments' } },
      at(0),
      () => 0.5,
    );
    expect(result.ok).to.equal(false);
    if (result.ok) return;
    expect(result.error.code).to.equal('identity-mismatch');
    expect(result.error.message).to.include('shop/payments');
  });

  it('never shows the private key when the result is logged', async () => {
    const result = unwrap(await proxySecrets(await caState(), ORDERS, at(0), () => 0.5));
    expect(JSON.stringify(result.svid)).not.to.include('PRIVATE KEY');
    expect(inspect(result.svid, { depth: 5 })).not.to.include('PRIVATE KEY');
  });

  it('packs into the snapshot cache under the Secret type URL', async () => {
    const result = unwrap(await proxySecrets(await caState(), ORDERS, at(0), () => 0.5));
    const encoded = encodeSecrets(result.secrets);
    expect(encoded.map((r) => [r.name, r.encoded.typeUrl])).to.deep.equal([
      [WORKLOAD_CERT_SECRET, SECRET_TYPE_URL],
      [TRUST_BUNDLE_SECRET, SECRET_TYPE_URL],
    ]);
    const cache = new SnapshotCache();
    cache.setSnapshot('shop/orders', { [SECRET_TYPE_URL]: encoded });
    const stored = cache.getSnapshot('shop/orders')?.types.get(SECRET_TYPE_URL);
    expect(stored?.resources.map((r) => unpackAnyAs(r.encoded, Secret).name)).to.deep.equal(
      [WORKLOAD_CERT_SECRET, TRUST_BUNDLE_SECRET].sort(),
    );
  });
});
