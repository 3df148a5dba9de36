import { expect } from 'chai';
import { formatPath } from '../../src/translate/problem.js';
import { snapshot } from '../fixtures/snapshot.js';
import { conditionOf, portOf, run, statusOf } from '../fixtures/translate.js';

const PUBLIC_JWKS = JSON.stringify({
  keys: [
    {
      kty: 'EC',
      crv: 'P-256',
      x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU',
      y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0',
    },
  ],
});

function withJwksSecret(secretRef: Record<string, unknown>): ReturnType<typeof snapshot> {
  return snapshot()
    .workload('shop', 'orders', { app: 'orders' }, [8080])
    .policy('shop', 'p', {
      selector: {},
      jwt: { providers: [{ name: 'corp', issuer: 'https://login.example.com/', jwks: { secretRef } }] },
    });
}

describe('translate: policies that cannot be translated fail closed', () => {
  describe('an invalid policy', () => {
    const invalid = (): ReturnType<typeof snapshot> =>
      snapshot()
        .workload('shop', 'orders', { app: 'orders' }, [8080, 9090])
        .workload('shop', 'cart', { app: 'cart' }, [8080])
        .policy('shop', 'broken', {
          selector: { matchLabels: { app: 'orders' } },
          ports: [8080],
          mtls: { mode: 'strict' },
          typo: 1,
        });

    it('denies every request on the ports it would cover, and only there', () => {
      const result = run(invalid());
      expect(portOf(result, 'shop/orders', 8080).failClosed).to.deep.equal([
        { policy: 'shop/broken', reason: 'Invalid' },
      ]);
      expect(portOf(result, 'shop/orders', 9090).failClosed).to.deep.equal([]);
      expect(portOf(result, 'shop/cart', 8080).failClosed).to.deep.equal([]);
    });

    it('is not merged: the port keeps what the valid policies (here none: mesh defaults) say', () => {
      const port = portOf(run(invalid()), 'shop/orders', 8080);
      expect(port.policies).to.deep.equal([]);
      expect(port.enforce.authorization).to.deep.equal({ defaultAction: 'Deny', rules: [] });
    });

    it('reports every problem with its field path, and the first one in Accepted', () => {
      const result = run(invalid());
      const status = statusOf(result, 'shop/broken');
      expect(status.problems.map((p) => formatPath(p.path))).to.deep.equal(['spec.mtls.mode', 'spec.typo']);
      expect(status.conditions).to.have.length(1);
      expect(status.conditions[0]).to.deep.include({ type: 'Accepted', status: 'False', reason: 'Invalid' });
      expect(status.conditions[0]?.message).to.match(/^spec\.mtls\.mode: .* \(and 1 more\)$/);
      expect(status.workloads).to.equal(1);
      expect(result.policies).to.deep.equal([]);
    });

    it('never blocks in Audit mode', () => {
      const result = run(
        snapshot()
          .workload('shop', 'orders', {}, [8080])
          .policy('shop', 'p', { selector: {}, mode: 'Audit', typo: true }),
      );
      expect(portOf(result, 'shop/orders', 8080).failClosed).to.deep.equal([]);
      expect(conditionOf(result, 'shop/p', 'Accepted').reason).to.equal('Invalid');
    });

    it('fails closed on every port when its ports cannot be read', () => {
      const result = run(
        snapshot()
          .workload('shop', 'orders', {}, [8080, 9090])
          .policy('shop', 'p', { selector: {}, ports: ['http'] }),
      );
      expect(portOf(result, 'shop/orders', 8080).failClosed).to.have.length(1);
      expect(portOf(result, 'shop/orders', 9090).failClosed).to.have.length(1);
    });

    it('covers nothing when its selector cannot be read', () => {
      const result = run(
        snapshot().workload('shop', 'orders', {}, [8080]).policy('shop', 'p', { selector: 'app=orders' }),
      );
      expect(portOf(result, 'shop/orders', 8080).failClosed).to.deep.equal([]);
      expect(statusOf(result, 'shop/p').workloads).to.equal(0);
    });

    it('of an unsupported version fails closed with reason UnsupportedVersion', () => {
      const result = run(
        snapshot()
          .workload('shop', 'orders', {}, [8080])
          .policy('shop', 'p', { selector: {} }, { apiVersion: 'aspen.dev/v1beta1' }),
      );
      expect(portOf(result, 'shop/orders', 8080).failClosed).to.deep.equal([
        { policy: 'shop/p', reason: 'UnsupportedVersion' },
      ]);
      expect(conditionOf(result, 'shop/p', 'Accepted').reason).to.equal('UnsupportedVersion');
    });

    it('does not stop valid policies on the same port from being merged', () => {
      const result = run(invalid().policy('shop', 'good', { selector: {}, mtls: { mode: 'PERMISSIVE' } }));
      const port = portOf(result, 'shop/orders', 8080);
      expect(port.policies).to.deep.equal(['shop/good']);
      expect(port.enforce.mtls).to.equal('PERMISSIVE');
      expect(port.failClosed).to.deep.equal([{ policy: 'shop/broken', reason: 'Invalid' }]);
    });
  });

  describe('a policy whose references do not resolve', () => {
    it('fails closed when a JWKS Secret is missing, naming the field', () => {
      const result = run(withJwksSecret({ name: 'jwks', key: 'jwks.json' }));
      expect(portOf(result, 'shop/orders', 8080).failClosed).to.deep.equal([
        { policy: 'shop/p', reason: 'RefNotFound' },
      ]);
      expect(conditionOf(result, 'shop/p', 'ResolvedRefs')).to.deep.equal({
        type: 'ResolvedRefs',
        status: 'False',
        reason: 'RefNotFound',
        message: 'spec.jwt.providers[0].jwks.secretRef: Secret shop/jwks not found',
      });
      expect(conditionOf(result, 'shop/p', 'Accepted').status).to.equal('True');
    });

    it('fails closed when the Secret lacks the key', () => {
      const result = run(
        withJwksSecret({ name: 'jwks', key: 'jwks.json' }).secret('shop', 'jwks', { other: '{}' }),
      );
      expect(conditionOf(result, 'shop/p', 'ResolvedRefs').message).to.equal(
        'spec.jwt.providers[0].jwks.secretRef: Secret shop/jwks has no key "jwks.json"',
      );
    });

    it('does not look for the Secret in another namespace', () => {
      const result = run(
        withJwksSecret({ name: 'jwks', key: 'jwks.json' }).secret('auth', 'jwks', {
          'jwks.json': PUBLIC_JWKS,
        }),
      );
      expect(conditionOf(result, 'shop/p', 'ResolvedRefs').reason).to.equal('RefNotFound');
    });

    it('refuses a Secret that is not a JWKS, without printing it', () => {
      const result = run(
        withJwksSecret({ name: 'jwks', key: 'jwks.json' }).secret('shop', 'jwks', {
          'jwks.json': 'not-json-s3cr3t',
        }),
      );
      const cond = conditionOf(result, 'shop/p', 'ResolvedRefs');
      expect(cond.reason).to.equal('InvalidRef');
      expect(cond.message).to.not.include('s3cr3t');
      expect(portOf(result, 'shop/orders', 8080).failClosed).to.deep.equal([
        { policy: 'shop/p', reason: 'InvalidRef' },
      ]);
    });

    it('refuses a JWKS holding a private key, without printing key material', () => {
      const privateKey = {
        kty: 'RSA',
        n: 'PUBLICMODULUS',
        e: 'AQAB',
        d: 'PRIVATEEXPONENT',
        p: 'PRIME1',
        q: 'PRIME2',
      };
      const result = run(
        withJwksSecret({ name: 'jwks', key: 'jwks.json' }).secret('shop', 'jwks', {
          'jwks.json': JSON.stringify({ keys: [privateKey] }),
        }),
      );
      const status = statusOf(result, 'shop/p');
      const text = JSON.stringify(status);
      expect(conditionOf(result, 'shop/p', 'ResolvedRefs').reason).to.equal('InvalidRef');
      expect(text).to.include('private');
      for (const secret of ['PRIVATEEXPONENT', 'PRIME1', 'PRIME2', 'PUBLICMODULUS'])
        expect(text).to.not.include(secret);
      expect(JSON.stringify(result.proxies)).to.not.include('PRIVATEEXPONENT');
    });

    it('turns a resolved JWKS Secret into an inline key set that remembers its origin', () => {
      const result = run(
        withJwksSecret({ name: 'jwks', key: 'jwks.json' }).secret('shop', 'jwks', {
          'jwks.json': PUBLIC_JWKS,
        }),
      );
      expect(conditionOf(result, 'shop/p', 'ResolvedRefs')).to.deep.include({
        status: 'True',
        reason: 'ResolvedRefs',
      });
      expect(portOf(result, 'shop/orders', 8080).enforce.jwt?.providers[0]?.jwks).to.deep.equal({
        inline: PUBLIC_JWKS,
        fromSecret: { namespace: 'shop', name: 'jwks', key: 'jwks.json' },
      });
      expect(portOf(result, 'shop/orders', 8080).failClosed).to.deep.equal([]);
    });

    it('fails closed when an API-key client Secret is missing', () => {
      const result = run(
        snapshot()
          .workload('shop', 'orders', {}, [8080])
          .policy('shop', 'p', {
            selector: {},
            apiKeys: {
              from: { header: 'x-api-key' },
              clients: [
                { name: 'a', secretRef: { name: 'keys', key: 'a' } },
                { name: 'b', secretRef: { name: 'keys', key: 'b' } },
              ],
            },
          })
          .secret('shop', 'keys', { a: 'key-a' }),
      );
      expect(conditionOf(result, 'shop/p', 'ResolvedRefs').message).to.equal(
        'spec.apiKeys.clients[1].secretRef: Secret shop/keys has no key "b"',
      );
      expect(portOf(result, 'shop/orders', 8080).failClosed).to.have.length(1);
    });

    it('fails closed when the OpenAPI ConfigMap is missing', () => {
      const result = run(
        snapshot()
          .workload('shop', 'orders', {}, [8080])
          .policy('shop', 'p', {
            selector: {},
            requestValidation: { openapi: { configMapRef: { name: 'spec', key: 'openapi.yaml' } } },
          }),
      );
      expect(conditionOf(result, 'shop/p', 'ResolvedRefs').message).to.equal(
        'spec.requestValidation.openapi.configMapRef: ConfigMap shop/spec not found',
      );
      expect(portOf(result, 'shop/orders', 8080).failClosed).to.deep.equal([
        { policy: 'shop/p', reason: 'RefNotFound' },
      ]);
    });

    it('lists every unresolved reference and summarises them in the condition', () => {
      const result = run(
        snapshot()
          .workload('shop', 'orders', {}, [8080])
          .policy('shop', 'p', {
            selector: {},
            apiKeys: {
              from: { header: 'x-api-key' },
              clients: [{ name: 'a', secretRef: { name: 'gone', key: 'a' } }],
            },
            requestValidation: { openapi: { configMapRef: { name: 'spec', key: 'openapi.yaml' } } },
          }),
      );
      expect(statusOf(result, 'shop/p').problems).to.have.length(2);
      expect(conditionOf(result, 'shop/p', 'ResolvedRefs').message).to.match(/\(and 1 more\)$/);
    });

    it('never blocks in Audit mode, and audits what does resolve', () => {
      const result = run(
        withJwksSecret({ name: 'jwks', key: 'jwks.json' }).policy('shop', 'audit', {
          selector: {},
          mode: 'Audit',
          apiKeys: {
            from: { header: 'x-api-key' },
            clients: [{ name: 'a', secretRef: { name: 'gone', key: 'a' } }],
          },
        }),
      );
      const port = portOf(result, 'shop/orders', 8080);
      expect(port.failClosed).to.deep.equal([{ policy: 'shop/p', reason: 'RefNotFound' }]);
      expect(port.audit?.apiKeys?.clients.map((c) => c.id)).to.deep.equal(['shop/audit/a']);
      expect(conditionOf(result, 'shop/audit', 'ResolvedRefs').reason).to.equal('RefNotFound');
    });

    it('leaves out of the IR a JWT provider whose key set did not resolve', () => {
      const port = portOf(run(withJwksSecret({ name: 'jwks', key: 'jwks.json' })), 'shop/orders', 8080);
      expect(port.enforce.jwt).to.deep.equal({ required: true, providers: [] });
    });
  });
});
