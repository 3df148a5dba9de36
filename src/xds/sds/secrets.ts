/**
 * The two SDS secrets every sidecar receives: its workload certificate (`default`, certificate chain + private key)
 * and the trust bundle (`ROOTCA`). This is the ONE place aspen puts key material into an Envoy resource; the
 * resources are only ever sent over the authenticated SDS/ADS stream of the proxy they were issued to, and are never
 * printed (`aspen render` references them by SDS name only).
 */
import { issueFor } from '../../ca/issue.js';
import { renewalTime } from '../../ca/renewal.js';
import type { RenewalOptions } from '../../ca/renewal.js';
import { trustBundle } from '../../ca/state.js';
import type {
  AuthenticatedIdentity,
  CaResult,
  CaState,
  Clock,
  IssuedSvid,
  RandomSource,
  WorkloadIdentity,
} from '../../ca/types.js';
import { DataSource } from '../../gen/envoy/config/core/v3/base.js';
import { Secret } from '../../gen/envoy/extensions/transport_sockets/tls/v3/secret.js';
import type { EncodedResource } from '../cache/snapshot.js';
import { packAny } from '../proto/any.js';
import { TRUST_BUNDLE_SECRET, WORKLOAD_CERT_SECRET } from '../translate/names.js';

/** The SDS resource type. */
export const SECRET_TYPE_URL = 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret';

/** Who the secrets are for. */
export interface SecretIdentity extends AuthenticatedIdentity {
  /**
   * The identity the proxy asked for, when it named one; issuing refuses anything but the authenticated caller's own
   * identity (`namespace`/`serviceAccount` of this object). Absent: the caller's identity.
   */
  readonly requested?: WorkloadIdentity;
}

/** The secrets of one proxy and when to replace them. */
export interface ProxySecrets {
  /** `default` (tls_certificate) then `ROOTCA` (validation_context). Contain key material: never log or print. */
  readonly secrets: readonly Secret[];
  /** When the workload certificate should be renewed (half its lifetime, with jitter). */
  readonly renewAt: Date;
  /** The SVID that was issued (its private key is a redacting `SecretPem`). */
  readonly svid: IssuedSvid;
}

function inlineString(text: string): DataSource {
  return DataSource.fromPartial({ specifier: { $case: 'inlineString', value: text } });
}

function inlineBytes(text: string): DataSource {
  return DataSource.fromPartial({
    specifier: { $case: 'inlineBytes', value: new TextEncoder().encode(text) },
  });
}

/** The `default` secret: the SVID chain and its private key. */
export function workloadCertSecret(svid: IssuedSvid): CaResult<Secret> {
  if (svid.privateKeyPem === undefined) {
    return {
      ok: false,
      error: { code: 'invalid-private-key', message: `SVID ${svid.spiffeId} carries no private key` },
    };
  }
  const secret = Secret.fromPartial({
    name: WORKLOAD_CERT_SECRET,
    type: {
      $case: 'tlsCertificate',
      value: {
        certificateChain: inlineString(svid.certificatePem),
        privateKey: inlineBytes(svid.privateKeyPem.reveal()),
      },
    },
  });
  return { ok: true, value: secret };
}

/** The `ROOTCA` secret: every root trusted now (PEM bundle), as the validation context's trusted CA. */
export function trustBundleSecret(bundlePem: string): Secret {
  return Secret.fromPartial({
    name: TRUST_BUNDLE_SECRET,
    type: { $case: 'validationContext', value: { trustedCa: inlineString(bundlePem) } },
  });
}

/**
 * Issues a fresh SVID for the authenticated caller (through `issueFor`, so a request for another identity is refused
 * with `identity-mismatch`) and returns the proxy's two SDS secrets with the renewal time. Pure apart from key
 * generation: time and jitter come from `clock` and `random`.
 */
export async function proxySecrets(
  ca: CaState,
  identity: SecretIdentity,
  clock: Clock,
  random: RandomSource,
): Promise<CaResult<ProxySecrets>> {
  return proxySecretsWith(ca, identity, { clock, random });
}

/** Options of {@link proxySecretsWith}. */
export interface ProxySecretsOptions extends RenewalOptions {
  /** Source of time for issuing and renewal. */
  readonly clock: Clock;
  /** Jitter source for renewal. */
  readonly random: RandomSource;
  /** Requested SVID lifetime (capped by the CA). */
  readonly ttlMs?: number;
}

/** {@link proxySecrets} with renewal and lifetime tuning. */
export async function proxySecretsWith(
  ca: CaState,
  identity: SecretIdentity,
  options: ProxySecretsOptions,
): Promise<CaResult<ProxySecrets>> {
  const caller: AuthenticatedIdentity = identity;
  const requested: WorkloadIdentity = identity.requested ?? identity;
  const svid = await issueFor(
    ca,
    caller,
    { namespace: requested.namespace, serviceAccount: requested.serviceAccount },
    { clock: options.clock, ...(options.ttlMs === undefined ? {} : { ttlMs: options.ttlMs }) },
  );
  if (!svid.ok) return svid;
  const cert = workloadCertSecret(svid.value);
  if (!cert.ok) return cert;
  const renewAt = renewalTime(svid.value, options.clock, options.random, options);
  return {
    ok: true,
    value: {
      secrets: [cert.value, trustBundleSecret(trustBundle(ca, options.clock))],
      renewAt,
      svid: svid.value,
    },
  };
}

/**
 * The secrets packed for the snapshot cache (`{ [SECRET_TYPE_URL]: encodeSecrets(...) }`). The bytes hold key
 * material: they go only into the snapshot of the proxy the secrets were issued to.
 */
export function encodeSecrets(secrets: readonly Secret[]): EncodedResource[] {
  return secrets.map((secret) => ({ name: secret.name, encoded: packAny(secret) }));
}
