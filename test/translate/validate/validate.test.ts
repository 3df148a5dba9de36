import { expect } from 'chai';
import { validatePolicy } from '../../../src/translate/validate/index.js';
import { formatPath } from '../../../src/translate/problem.js';

/** A valid policy; each test changes one thing. */
function policy(spec: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiVersion: 'aspen.dev/v1alpha1',
    kind: 'ApiSecurityPolicy',
    metadata: { name: 'orders-api', namespace: 'shop' },
    spec: { selector: { matchLabels: { app: 'orders' } }, ...spec },
    ...extra,
  };
}

const jwt = {
  providers: [
    {
      name: 'corp',
      issuer: 'https://login.example.com/',
      audiences: ['orders'],
      jwks: { remote: { uri: 'https://login.example.com/jwks.json' } },
    },
  ],
};
const apiKeys = {
  from: { header: 'x-api-key' },
  clients: [{ name: 'partner-a', secretRef: { name: 's', key: 'k' } }],
};

/** The problems as `path: message` lines. */
function problemsOf(object: Record<string, unknown>): string[] {
  return validatePolicy(object).problems.map((p) => `${formatPath(p.path)}: ${p.message}`);
}

function rule(from: Record<string, unknown>, to?: Record<string, unknown>): Record<string, unknown> {
  return { authorization: { rules: [{ name: 'r', from, ...(to ? { to } : {}) }] } };
}

describe('validatePolicy', () => {
  describe('a valid policy', () => {
    it('has no problems and comes back with defaults applied', () => {
      const result = validatePolicy(policy({}));
      expect(result.problems).to.deep.equal([]);
      expect(result.policy?.spec.mode).to.equal('Enforce');
      expect(result.policy?.spec.mtls?.mode).to.equal('STRICT');
      expect(result.policy?.spec.authorization?.defaultAction).to.equal('Deny');
      expect(result.policy?.spec.logging?.accessLog).to.equal(true);
    });
    it('does not modify the object it was given', () => {
      const object = policy({});
      validatePolicy(object);
      expect(object.spec).to.not.have.property('mode');
    });
    it('fills a missing namespace from the option', () => {
      const object = policy({});
      delete (object.metadata as Record<string, unknown>).namespace;
      expect(validatePolicy(object, { namespace: 'team-a' }).policy?.metadata.namespace).to.equal('team-a');
    });
    it('defaults rule actions to Allow and JWT to required', () => {
      const spec = validatePolicy(policy({ jwt, ...rule({ namespaces: ['shop'] }) })).policy?.spec;
      expect(spec?.authorization?.rules?.[0]?.action).to.equal('Allow');
      expect(spec?.jwt?.required).to.equal(true);
    });
  });

  describe('apiVersion and kind', () => {
    it('reports an unknown version of the aspen.dev group as UnsupportedVersion', () => {
      const result = validatePolicy(policy({}, { apiVersion: 'aspen.dev/v1beta1' }));
      expect(result.reason).to.equal('UnsupportedVersion');
      expect(problemsOf(policy({}, { apiVersion: 'aspen.dev/v1beta1' }))).to.deep.equal([
        'apiVersion: version v1beta1 of aspen.dev is not supported: this aspen serves v1alpha1',
      ]);
    });
    it('reports an unknown kind in the aspen.dev group', () => {
      expect(problemsOf(policy({}, { kind: 'ApiSecurityPolcy' }))).to.deep.equal([
        'kind: unknown kind in aspen.dev: this aspen knows ApiSecurityPolicy',
      ]);
    });
  });

  describe('schema problems', () => {
    it('reports unknown fields (typos) with their path', () => {
      expect(problemsOf(policy({ mtls: { mdoe: 'STRICT' } }))).to.deep.equal([
        'spec.mtls.mdoe: unknown field',
      ]);
      expect(problemsOf(policy({}, { sepc: {} }))).to.deep.equal(['sepc: unknown field']);
    });
    it('reports wrong enums listing the allowed values', () => {
      expect(problemsOf(policy({ mode: 'enforce' }))).to.deep.equal([
        'spec.mode: must be one of: Enforce, Audit',
      ]);
    });
    it('reports a missing selector and a missing spec', () => {
      const object = policy({});
      delete (object.spec as Record<string, unknown>).selector;
      expect(problemsOf(object)).to.deep.equal(['spec.selector: required field is missing']);
      expect(problemsOf(policy({}, { spec: undefined }))).to.deep.equal(['spec: required object is missing']);
    });
    it('reports bad durations in plain words', () => {
      const spec = { rateLimits: [{ name: 'l', requests: 1, per: '1 minute' }] };
      expect(problemsOf(policy(spec))).to.deep.equal([
        'spec.rateLimits[0].per: must be a duration: a number with a unit ms, s, m or h, such as 500ms, 5s, 10m or 1h30m',
      ]);
    });
    it('reports non-positive limits', () => {
      expect(problemsOf(policy({ rateLimits: [{ name: 'l', requests: 0, per: '1s' }] }))).to.deep.equal([
        'spec.rateLimits[0].requests: must be >= 1',
      ]);
      expect(problemsOf(policy({ rateLimits: [{ name: 'l', requests: 5, per: '0s' }] }))).to.deep.equal([
        'spec.rateLimits[0].per: must be between 50ms and 24h',
      ]);
    });
    it('reports paths not starting with /', () => {
      expect(problemsOf(policy(rule({}, { paths: ['orders'] })))).to.deep.equal([
        'spec.authorization.rules[0].to.paths[0]: must be a path starting with "/" without query, fragment or spaces',
      ]);
    });
    it('reports invalid names', () => {
      expect(
        problemsOf(policy(rule({}, { methods: ['GET'] }), { metadata: { name: 'Orders_API' } })),
      ).to.deep.equal(['metadata.name: must be a DNS subdomain of at most 253 characters']);
      expect(problemsOf(policy({ authorization: { rules: [{ name: 'Read Orders' }] } }))).to.have.lengthOf(1);
    });
    it('reports empty lists, which are ambiguous', () => {
      expect(problemsOf(policy(rule({ principals: [] })))).to.deep.equal([
        'spec.authorization.rules[0].from.principals: must NOT have fewer than 1 items',
      ]);
    });
  });

  describe('list types (as the API server enforces them)', () => {
    it('reports duplicate rule names at the later rule', () => {
      const spec = { authorization: { rules: [{ name: 'a' }, { name: 'b' }, { name: 'a' }] } };
      expect(problemsOf(policy(spec))).to.deep.equal([
        'spec.authorization.rules[2].name: duplicate name "a" (also at [0])',
      ]);
    });
    it('reports duplicate provider and client names and duplicate set values', () => {
      const providers = [jwt.providers[0], { ...jwt.providers[0], issuer: 'https://other.example.com/' }];
      expect(problemsOf(policy({ jwt: { providers } }))).to.deep.equal([
        'spec.jwt.providers[1].name: duplicate name "corp" (also at [0])',
      ]);
      const clients = [apiKeys.clients[0], apiKeys.clients[0]];
      expect(problemsOf(policy({ apiKeys: { ...apiKeys, clients } }))).to.deep.equal([
        'spec.apiKeys.clients[1].name: duplicate name "partner-a" (also at [0])',
      ]);
      expect(problemsOf(policy({ ports: [8080, 8080] }))).to.deep.equal([
        'spec.ports[1]: duplicate value 8080 (also at [0])',
      ]);
    });
  });

  describe('CEL rules (as written in the CRD)', () => {
    it('requires exactly one JWKS source', () => {
      const provider = {
        ...jwt.providers[0],
        jwks: { remote: { uri: 'https://a.example/j' }, inline: '{}' },
      };
      expect(problemsOf(policy({ jwt: { providers: [provider] } }))).to.deep.equal([
        'spec.jwt.providers[0].jwks: exactly one of remote, inline, secretRef must be set',
      ]);
    });
    it('requires exactly one rate-limit key kind', () => {
      const spec = {
        rateLimits: [{ name: 'l', requests: 1, per: '1s', key: { header: 'x-t', remoteAddress: {} } }],
      };
      expect(problemsOf(policy(spec))).to.deep.equal([
        'spec.rateLimits[0].key: exactly one of jwtClaim, header, remoteAddress, apiKeyClient must be set',
      ]);
    });
    it('refuses rules naming JWT claims without a JWT provider', () => {
      expect(problemsOf(policy(rule({ jwtClaims: [{ name: 'scope', values: ['x'] }] })))).to.deep.equal([
        'spec.authorization.rules: authorization rules name JWT claims but spec.jwt configures no provider',
      ]);
    });
    it('checks label selector operators', () => {
      const selector = { matchExpressions: [{ key: 'app', operator: 'In' }] };
      expect(problemsOf(policy({ selector }))).to.deep.equal([
        'spec.selector.matchExpressions[0]: values must be non-empty for In and NotIn, and empty for Exists and DoesNotExist',
      ]);
    });
  });

  describe('semantic problems', () => {
    it('refuses invalid CIDRs and CIDRs with host bits', () => {
      expect(
        problemsOf(policy(rule({ ipBlocks: ['10.0.0.0/33', '10.1.2.3/8', 'fd00::/8', 'nope'] }))),
      ).to.deep.equal([
        'spec.authorization.rules[0].from.ipBlocks[0]: prefix length must be at most 32',
        'spec.authorization.rules[0].from.ipBlocks[1]: has host bits set: use the network address of the block',
        'spec.authorization.rules[0].from.ipBlocks[3]: must be a CIDR block such as 10.0.0.0/8 or fd00::/8',
      ]);
    });
    it('refuses principals that are not SPIFFE IDs', () => {
      const principals = [
        'spiffe://cluster.local/ns/shop/sa/frontend',
        'spiffe://cluster.local/ns/shop/sa/*',
        'spiffe://Cluster.local/ns/a',
        'spiffe://cluster.local/ns/../sa/x',
        'spiffe://cluster.local/*/sa/x',
        'spiffe://cluster.local',
      ];
      expect(problemsOf(policy(rule({ principals })))).to.deep.equal([
        'spec.authorization.rules[0].from.principals[2]: trust domain must be lower-case letters, digits, ".", "-" or "_"',
        'spec.authorization.rules[0].from.principals[3]: path segments must be non-empty and not "." or ".."',
        'spec.authorization.rules[0].from.principals[4]: a "*" may only end the ID (prefix match)',
        'spec.authorization.rules[0].from.principals[5]: must have a path, e.g. /ns/<namespace>/sa/<service-account>',
      ]);
      expect(problemsOf(policy(rule({ principals: ['https://x'] })))).to.deep.equal([
        'spec.authorization.rules[0].from.principals[0]: must be a SPIFFE ID (spiffe://<trust-domain>/<path>)',
      ]);
    });
    it('refuses API-key clients that do not exist', () => {
      expect(
        problemsOf(policy({ apiKeys, ...rule({ apiKeyClients: ['partner-a', 'partner-b'] }) })),
      ).to.deep.equal([
        'spec.authorization.rules[0].from.apiKeyClients[1]: no API-key client "partner-b" in spec.apiKeys.clients',
      ]);
    });
    it('refuses forwarding claims into headers clients or the proxy control', () => {
      const forwardClaims = ['host', 'x-envoy-original-path', 'X-Forwarded-For', 'x-user-id'].map(
        (header) => ({
          claim: 'sub',
          header,
        }),
      );
      expect(
        problemsOf(policy({ jwt: { providers: [{ ...jwt.providers[0], forwardClaims }] } })),
      ).to.deep.equal([
        'spec.jwt.providers[0].forwardClaims[0].header: must not be "host": that header is controlled by the client or the proxy',
        'spec.jwt.providers[0].forwardClaims[1].header: must not start with "x-envoy-": those headers are reserved for the proxy',
        'spec.jwt.providers[0].forwardClaims[2].header: must not start with "x-forwarded-": those headers are reserved for the proxy',
      ]);
      expect(
        problemsOf(
          policy({
            jwt: { providers: [{ ...jwt.providers[0], forwardClaims: [{ claim: 'a', header: ':path' }] }] },
          }),
        ),
      ).to.have.lengthOf(1);
    });
    it('refuses JWKS URIs that are not https or point at loopback, link-local or metadata addresses', () => {
      const uris = [
        'http://login.example.com/jwks',
        'https://127.0.0.1/jwks',
        'https://localhost:8443/jwks',
        'https://169.254.169.254/latest',
        'https://[::1]/jwks',
        'https://[::ffff:127.0.0.1]/jwks',
        'https://metadata.google.internal/x',
        'https://user:pw@login.example.com/jwks',
      ];
      for (const uri of uris) {
        const provider = { ...jwt.providers[0], jwks: { remote: { uri } } };
        expect(problemsOf(policy({ jwt: { providers: [provider] } })), uri).to.have.lengthOf(1);
      }
    });
    it('allows in-cluster and private JWKS issuers', () => {
      for (const uri of ['https://keycloak.auth.svc/realms/x/certs', 'https://10.1.2.3/jwks']) {
        const provider = { ...jwt.providers[0], jwks: { remote: { uri } } };
        expect(problemsOf(policy({ jwt: { providers: [provider] } })), uri).to.deep.equal([]);
      }
    });
    it('refuses inline key sets that hold private keys, without printing them', () => {
      const inline = JSON.stringify({ keys: [{ kty: 'oct', k: 'c2VjcmV0LXNpZ25pbmcta2V5' }] });
      const provider = { ...jwt.providers[0], jwks: { inline } };
      const problems = problemsOf(policy({ jwt: { providers: [provider] } }));
      expect(problems).to.deep.equal([
        'spec.jwt.providers[0].jwks.inline: key 0 holds private or symmetric key material: publish public keys only',
      ]);
      expect(problems.join()).to.not.include('c2VjcmV0');
    });
    it('refuses path patterns that normalisation would never produce', () => {
      const paths = ['/a//b', '/a/../b', '/a/%2e', '/a/*/b', '/a*', '/a;b', '/a/*'];
      expect(problemsOf(policy(rule({}, { paths })))).to.deep.equal([
        'spec.authorization.rules[0].to.paths[0]: must not contain "//" (requests are matched after merging slashes)',
        'spec.authorization.rules[0].to.paths[1]: must not contain "." or ".." segments',
        'spec.authorization.rules[0].to.paths[2]: must not contain percent-encoding (requests are matched after decoding)',
        'spec.authorization.rules[0].to.paths[3]: a "*" may only be the whole last segment, as in /orders/*',
        'spec.authorization.rules[0].to.paths[4]: a "*" may only be the whole last segment, as in /orders/*',
        'spec.authorization.rules[0].to.paths[5]: must not contain ";" parameters unless requestValidation.allowPathParameters is true',
      ]);
    });
    it('refuses peer identities when mTLS is disabled', () => {
      expect(
        problemsOf(policy({ mtls: { mode: 'DISABLE' }, ...rule({ namespaces: ['shop'] }) })),
      ).to.deep.equal([
        'spec.authorization.rules[0].from: principals and namespaces need mTLS peer identities, but mtls.mode is DISABLE',
      ]);
    });
    it('refuses two providers with the same issuer', () => {
      const providers = [jwt.providers[0], { ...jwt.providers[0], name: 'corp2' }];
      expect(problemsOf(policy({ jwt: { providers } }))).to.deep.equal([
        'spec.jwt.providers[1].issuer: duplicate issuer (also providers[0])',
      ]);
    });
  });
});
