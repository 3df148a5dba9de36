/** Schema of the authentication part of a policy: JWT providers and API keys. */
import {
  Type,
  cel,
  dnsLabel,
  duration,
  exactlyOneOf,
  headerName,
  namedList,
  SecretKeyRef,
  setOf,
  strictObject,
} from './common.js';

/** Where a token is looked for in a request. */
export const TokenSource = strictObject(
  {
    header: Type.Optional(
      strictObject(
        {
          name: headerName('Header carrying the token, e.g. `Authorization`.'),
          prefix: Type.Optional(
            Type.String({ description: 'Prefix stripped before the token, e.g. `Bearer `.', maxLength: 64 }),
          ),
        },
        'Read the token from a request header.',
      ),
    ),
    query: Type.Optional(
      Type.String({
        description: 'Read the token from this query parameter.',
        pattern: '^[A-Za-z0-9._~-]+$',
        maxLength: 128,
      }),
    ),
    cookie: Type.Optional(
      Type.String({
        description: 'Read the token from this cookie.',
        pattern: "^[A-Za-z0-9!#$%&'*+.^_`|~-]+$",
        maxLength: 128,
      }),
    ),
  },
  'One place a token may be carried: exactly one of header, query or cookie.',
  cel(exactlyOneOf(['header', 'query', 'cookie'])),
);

/** The key set used to verify token signatures. */
export const Jwks = strictObject(
  {
    remote: Type.Optional(
      strictObject(
        {
          uri: Type.String({
            description:
              'HTTPS URL of the JWKS document. Loopback, link-local and cloud metadata addresses are refused.',
            pattern: '^https://',
            maxLength: 2048,
          }),
          cacheDuration: Type.Optional(duration('How long a fetched key set is cached.', '10m')),
          timeout: Type.Optional(duration('Timeout of one fetch of the key set.', '5s')),
        },
        'Fetch the key set over HTTPS.',
      ),
    ),
    inline: Type.Optional(
      Type.String({ description: 'The JWKS JSON document itself.', minLength: 2, maxLength: 65536 }),
    ),
    secretRef: Type.Optional(SecretKeyRef),
  },
  'The JSON Web Key Set that verifies token signatures: exactly one of remote, inline or secretRef.',
  cel(exactlyOneOf(['remote', 'inline', 'secretRef'])),
);

/** One JWT issuer that the workload trusts. */
export const JwtProvider = strictObject(
  {
    name: dnsLabel('Name of the provider, unique in the policy.'),
    issuer: Type.String({
      description: 'The `iss` claim tokens from this provider carry (exact match).',
      minLength: 1,
      maxLength: 512,
    }),
    audiences: Type.Optional(
      setOf(
        Type.String({ minLength: 1, maxLength: 256 }),
        32,
        'Accepted `aud` values; a token must carry one of them. Omitted: any audience is accepted (reported by `aspen audit`).',
      ),
    ),
    jwks: Jwks,
    from: Type.Optional(
      Type.Array(TokenSource, {
        description:
          'Where tokens are read from, in order. Default: the `Authorization` header with prefix `Bearer `.',
        maxItems: 8,
      }),
    ),
    forwardClaims: Type.Optional(
      Type.Array(
        strictObject(
          {
            claim: Type.String({ description: 'Claim name (top level).', minLength: 1, maxLength: 128 }),
            header: headerName(
              'Request header the claim value is copied into; any client-sent value is removed.',
            ),
          },
          'Copy a verified claim into a request header for the application.',
        ),
        { description: 'Claims copied into request headers after verification.', maxItems: 16 },
      ),
    ),
    clockSkew: Type.Optional(duration('Tolerance when checking `exp` and `nbf`.', '60s')),
  },
  'A JWT issuer whose tokens the workload accepts.',
);

/** JWT authentication settings. */
export const JwtAuthentication = strictObject(
  {
    required: Type.Optional(
      Type.Boolean({
        description:
          'true: a request without a valid token is answered 401 before authorization. false: a request without ' +
          'a token passes on to authorization (rules may still require claims). An invalid token is always rejected.',
        default: true,
      }),
    ),
    providers: namedList(JwtProvider, { minItems: 1, maxItems: 16 }, 'Trusted token issuers.'),
  },
  'Authenticate requests with JSON Web Tokens.',
);

/** Where an API key is read from. */
export const ApiKeySource = strictObject(
  {
    header: Type.Optional(headerName('Header carrying the key, e.g. `x-api-key`.')),
    query: Type.Optional(
      Type.String({
        description: 'Query parameter carrying the key (discouraged: URLs end up in logs).',
        pattern: '^[A-Za-z0-9._~-]+$',
        maxLength: 128,
      }),
    ),
  },
  'Where the API key is read from: exactly one of header or query.',
  cel(exactlyOneOf(['header', 'query'])),
);

/** A named API-key client. */
export const ApiKeyClient = strictObject(
  {
    name: dnsLabel('Client name, unique in the policy; authorization rules refer to it in `apiKeyClients`.'),
    secretRef: SecretKeyRef,
  },
  'A client identified by an API key stored in a Secret.',
);

/** API-key authentication settings. */
export const ApiKeyAuthentication = strictObject(
  {
    from: ApiKeySource,
    clients: namedList(
      ApiKeyClient,
      { minItems: 1, maxItems: 256 },
      'Clients and the Secrets holding their keys.',
    ),
  },
  'Authenticate clients by API key. An invalid key is rejected; a request without a key passes on to authorization.',
);
