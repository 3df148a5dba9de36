/** Schema of the authorization part of a policy. */
import {
  Type,
  HttpMethod,
  PathPattern,
  dnsLabel,
  namedList,
  setOf,
  stringEnum,
  strictObject,
} from './common.js';

/** A JWT claim condition. */
export const JwtClaimMatch = strictObject(
  {
    name: Type.String({
      description: 'Claim name; nested claims are separated by `.` (e.g. `realm_access.roles`).',
      minLength: 1,
      maxLength: 256,
    }),
    values: setOf(
      Type.String({ maxLength: 256 }),
      32,
      'Accepted values; the claim (or one element of a list claim) must equal one of them.',
    ),
  },
  'A condition on one verified JWT claim.',
);

/** Who a rule applies to; every attribute kind listed must match (AND), any entry within a list may (OR). */
export const RuleSource = strictObject(
  {
    principals: Type.Optional(
      setOf(
        Type.String({ pattern: '^spiffe://', maxLength: 512 }),
        64,
        'Peer SPIFFE IDs from mTLS, e.g. `spiffe://cluster.local/ns/shop/sa/frontend`; a trailing `*` matches any suffix.',
      ),
    ),
    namespaces: Type.Optional(
      setOf(dnsLabel('A namespace name.'), 64, 'Namespaces of the peer workload (from mTLS).'),
    ),
    ipBlocks: Type.Optional(
      setOf(Type.String({ maxLength: 64 }), 64, 'CIDR blocks (IPv4 or IPv6) of the direct peer address.'),
    ),
    jwtClaims: Type.Optional(
      Type.Array(JwtClaimMatch, {
        description: 'Conditions on verified JWT claims; all must hold.',
        maxItems: 16,
      }),
    ),
    apiKeyClients: Type.Optional(
      setOf(dnsLabel('An API-key client name.'), 64, 'API-key clients (from `spec.apiKeys.clients`).'),
    ),
  },
  'The callers a rule applies to. Every attribute kind listed must match; within a list any entry may match.',
);

/** What a rule applies to. */
export const RuleTarget = strictObject(
  {
    methods: Type.Optional(setOf(HttpMethod, 9, 'HTTP methods.')),
    paths: Type.Optional(setOf(PathPattern, 64, 'Request paths (see PathPattern).')),
  },
  'The requests a rule applies to. Every attribute kind listed must match; within a list any entry may match.',
);

/** One authorization rule. */
export const AuthorizationRule = strictObject(
  {
    name: dnsLabel('Rule name, unique in the policy; appears in audit logs and metrics.'),
    action: Type.Optional(
      stringEnum(
        ['Allow', 'Deny'] as const,
        'Allow or Deny; a matching Deny always wins over an Allow.',
        'Allow',
      ),
    ),
    from: Type.Optional(RuleSource),
    to: Type.Optional(RuleTarget),
  },
  'A rule: when `from` and `to` both match a request, `action` applies. An omitted `from` or `to` matches all.',
);

/** Authorization settings. */
export const Authorization = strictObject(
  {
    defaultAction: Type.Optional(
      stringEnum(['Deny', 'Allow'] as const, 'What happens to a request no rule matches.', 'Deny'),
    ),
    rules: Type.Optional(
      namedList(AuthorizationRule, { maxItems: 128 }, 'Rules; rules are ORed, and a matching Deny wins.'),
    ),
  },
  'Who may call what. Default deny.',
  { default: {} },
);
