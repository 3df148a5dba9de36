import { expect } from 'chai';
import type { Cluster } from '../../../../src/gen/envoy/config/cluster/v3/cluster.js';
import { JwtAuthentication } from '../../../../src/gen/envoy/extensions/filters/http/jwt_authn/v3/config.js';
import type { JwtRequirement } from '../../../../src/gen/envoy/extensions/filters/http/jwt_authn/v3/config.js';
import type { CertificateValidationContext } from '../../../../src/gen/envoy/extensions/transport_sockets/tls/v3/common.js';
import { UpstreamTlsContext } from '../../../../src/gen/envoy/extensions/transport_sockets/tls/v3/tls.js';
import type { HttpFilter } from '../../../../src/gen/envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.js';
import type { JwtIR } from '../../../../src/ir/index.js';
import { unpackAnyAs } from '../../../../src/xds/proto/any.js';
import {
  JWT_AUDIT_FILTER_NAME,
  JWT_FILTER_NAME,
  jwtFilters,
} from '../../../../src/xds/translate/filters/jwt.js';
import {
  AUDIT_PAYLOAD_KEY,
  ENFORCE_PAYLOAD_KEY,
  SYSTEM_CA_BUNDLE,
} from '../../../../src/xds/translate/filters/jwt-providers.js';
import { buildEnvoyValidate } from '../../../tools/envoy-validate.js';
import { context, jwtProvider, policySet, port, validateOutput } from './fixtures.js';

/** The jwt_authn config of one filter. */
function config(filter: HttpFilter | undefined): JwtAuthentication {
  if (filter?.configType?.$case !== 'typedConfig') throw new Error('no typed config');
  return unpackAnyAs(filter.configType.value, JwtAuthentication);
}

/** The enforcing filter's config for a port whose Enforce set has this JWT. */
function enforced(jwt: JwtIR): JwtAuthentication {
  return config(jwtFilters.build(context(port({ enforce: policySet({ jwt }) }))).httpFilters[0]);
}

/** The requirement of the one rule. */
function requirement(c: JwtAuthentication): JwtRequirement | undefined {
  const type = c.rules[0]?.requirementType;
  return type?.$case === 'requires' ? type.value : undefined;
}

/** The `$case`s of a requires_any list (or of the single requirement). */
function cases(req: JwtRequirement | undefined): string[] {
  if (req?.requiresType?.$case === 'requiresAny')
    return req.requiresType.value.requirements.map((r) => r.requiresType?.$case ?? '');
  return [req?.requiresType?.$case ?? ''];
}

/** The upstream TLS context of a cluster. */
function tlsOf(cluster: Cluster | undefined): UpstreamTlsContext {
  const socket = cluster?.transportSocket?.configType;
  if (socket?.$case !== 'typedConfig') throw new Error('no TLS');
  return unpackAnyAs(socket.value, UpstreamTlsContext);
}

/** The inline validation context of a TLS context. */
function validationOf(tls: UpstreamTlsContext): CertificateValidationContext {
  const validation = tls.commonTlsContext?.validationContextType;
  if (validation?.$case !== 'validationContext') throw new Error('no validation context');
  return validation.value;
}

const inlineJwks = '{"keys":[{"kty":"RSA","n":"AQAB","e":"AQAB","kid":"k"}]}';

describe('xds/translate/filters/jwt', () => {
  it('no filter when no policy configures JWT', () => {
    expect(jwtFilters.build(context(port()))).to.deep.equal({ httpFilters: [], clusters: [] });
  });

  it('a request without exp is rejected: require_expiration', () => {
    const c = enforced({ required: true, providers: [jwtProvider('a'), jwtProvider('b')] });
    for (const provider of Object.values(c.providers)) expect(provider.requireExpiration).to.equal(true);
  });

  it('a required token must come from one of the providers: requires_any of every provider', () => {
    const c = enforced({ required: true, providers: [jwtProvider('a'), jwtProvider('b')] });
    expect(cases(requirement(c))).to.deep.equal(['providerName', 'providerName']);
    expect(c.rules[0]?.match?.pathSpecifier).to.deep.include({ $case: 'prefix', value: '/' });
  });

  it('one required provider: provider_name (requires_any needs two)', () => {
    const c = enforced({ required: true, providers: [jwtProvider('a')] });
    expect(requirement(c)?.requiresType).to.deep.include({ $case: 'providerName', value: 'shop/p/a' });
  });

  it('a missing token passes to authorization when required is false: allow_missing', () => {
    const c = enforced({ required: false, providers: [jwtProvider('a')] });
    expect(cases(requirement(c))).to.deep.equal(['providerName', 'allowMissing']);
  });

  it('invalid tokens never pass: no allow_missing_or_failed in enforce requirements', () => {
    for (const required of [true, false]) {
      const c = enforced({ required, providers: [jwtProvider('a'), jwtProvider('b')] });
      expect(cases(requirement(c))).not.to.include('allowMissingOrFailed');
    }
  });

  it('every provider named in the requirements exists', () => {
    const c = enforced({ required: false, providers: [jwtProvider('a'), jwtProvider('b')] });
    const named =
      requirement(c)?.requiresType?.$case === 'requiresAny' ? requirement(c)?.requiresType : undefined;
    const names =
      named?.$case === 'requiresAny'
        ? named.value.requirements.flatMap((r) =>
            r.requiresType?.$case === 'providerName' ? [r.requiresType.value] : [],
          )
        : [];
    expect(names).to.have.members(Object.keys(c.providers));
  });

  it('issuer, audiences, token locations, clock skew, claims to headers, payload in metadata, token not forwarded', () => {
    const provider = jwtProvider('a', {
      sources: [
        { header: 'authorization', prefix: 'Bearer ' },
        { query: 'access_token' },
        { cookie: 'session' },
      ],
      forwardClaims: [{ claim: 'sub', header: 'x-sub' }],
      clockSkewSeconds: 30,
    });
    const p = enforced({ required: true, providers: [provider] }).providers['shop/p/a'];
    expect(p?.issuer).to.equal('https://issuer.example.com');
    expect(p?.audiences).to.deep.equal(['orders']);
    expect(p?.fromHeaders.map((h) => [h.name, h.valuePrefix])).to.deep.equal([['authorization', 'Bearer ']]);
    expect(p?.fromParams).to.deep.equal(['access_token']);
    expect(p?.fromCookies).to.deep.equal(['session']);
    expect(p?.clockSkewSeconds).to.equal(30);
    expect(p?.claimToHeaders.map((h) => [h.claimName, h.headerName])).to.deep.equal([['sub', 'x-sub']]);
    expect(p?.payloadInMetadata).to.equal(ENFORCE_PAYLOAD_KEY);
    expect(p?.forward).to.equal(false);
  });

  it('remote JWKS: http_uri through a per-host cluster, cache duration, timeout, fetched ahead of requests', () => {
    const out = jwtFilters.build(
      context(
        port({
          enforce: policySet({ jwt: { required: true, providers: [jwtProvider('a'), jwtProvider('b')] } }),
        }),
      ),
    );
    const source = config(out.httpFilters[0]).providers['shop/p/a']?.jwksSourceSpecifier;
    if (source?.$case !== 'remoteJwks') throw new Error('expected remote JWKS');
    expect(source.value.cacheDuration).to.deep.include({ seconds: 300, nanos: 0 });
    expect(source.value.asyncFetch).not.to.equal(undefined);
    expect(source.value.httpUri?.timeout).to.deep.include({ seconds: 2, nanos: 0 });
    const cluster = source.value.httpUri?.httpUpstreamType;
    expect(out.clusters.map((c) => c.name)).to.deep.equal([cluster?.value]);
  });

  it('the JWKS host is verified: TLS with SNI, the system CA bundle, and a DNS SAN check', () => {
    const out = jwtFilters.build(
      context(port({ enforce: policySet({ jwt: { required: true, providers: [jwtProvider('a')] } }) })),
    );
    const tls = tlsOf(out.clusters[0]);
    expect(tls.sni).to.equal('issuer.example.com');
    const validation = validationOf(tls);
    expect(validation.trustedCa?.specifier).to.deep.equal({ $case: 'filename', value: SYSTEM_CA_BUNDLE });
    expect(validation.matchTypedSubjectAltNames[0]?.matcher?.matchPattern).to.deep.equal({
      $case: 'exact',
      value: 'issuer.example.com',
    });
  });

  it('inline or Secret JWKS: local_jwks inline_string, no cluster', () => {
    const out = jwtFilters.build(
      context(
        port({
          enforce: policySet({
            jwt: { required: true, providers: [jwtProvider('a', { jwks: { inline: inlineJwks } })] },
          }),
        }),
      ),
    );
    const source = config(out.httpFilters[0]).providers['shop/p/a']?.jwksSourceSpecifier;
    expect(source?.$case).to.equal('localJwks');
    expect(out.clusters).to.deep.equal([]);
  });

  describe('Audit mode', () => {
    const audit = policySet({
      jwt: {
        required: true,
        providers: [jwtProvider('x', { forwardClaims: [{ claim: 'sub', header: 'x-sub' }] })],
      },
    });
    const enforce = policySet({ jwt: { required: true, providers: [jwtProvider('a')] } });

    it('an Audit provider never blocks: allow_missing_or_failed, yet claims are extracted for shadow rules', () => {
      const out = jwtFilters.build(context(port({ audit })));
      expect(out.httpFilters.map((f) => f.name)).to.deep.equal([JWT_AUDIT_FILTER_NAME]);
      const c = config(out.httpFilters[0]);
      expect(cases(requirement(c))).to.deep.equal(['providerName', 'allowMissingOrFailed']);
      expect(c.providers['shop/p/x']?.payloadInMetadata).to.equal(AUDIT_PAYLOAD_KEY);
    });

    it('Audit changes nothing the application sees: token kept, no claim headers', () => {
      const p = config(jwtFilters.build(context(port({ audit }))).httpFilters[0]).providers['shop/p/x'];
      expect(p?.forward).to.equal(true);
      expect(p?.claimToHeaders).to.deep.equal([]);
    });

    it('the Audit filter runs before the enforcing one, which removes the token', () => {
      const names = jwtFilters.build(context(port({ enforce, audit }))).httpFilters.map((f) => f.name);
      expect(names).to.deep.equal([JWT_AUDIT_FILTER_NAME, JWT_FILTER_NAME]);
    });
  });

  describe("Envoy's validators", function () {
    before(async function () {
      this.timeout(300000);
      await buildEnvoyValidate();
    });

    it('accept the jwt_authn configs (Enforce, Audit) and the JWKS cluster', async () => {
      const enforce = policySet({
        jwt: {
          required: false,
          providers: [
            jwtProvider('a', {
              forwardClaims: [{ claim: 'sub', header: 'x-sub' }],
              sources: [{ header: 'authorization', prefix: 'Bearer ' }, { query: 't' }, { cookie: 'c' }],
            }),
            jwtProvider('b', { jwks: { inline: inlineJwks } }),
          ],
        },
      });
      const audit = policySet({ jwt: { required: true, providers: [jwtProvider('x')] } });
      const results = await validateOutput(jwtFilters.build(context(port({ enforce, audit }))));
      expect(results.map((r) => r.errors ?? [])).to.deep.equal([[], [], []]);
    });
  });
});
