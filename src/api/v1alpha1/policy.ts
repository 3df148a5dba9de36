/** Schema of the ApiSecurityPolicy resource: spec and status. The single source of truth for the API. */
import { Type, cel, labelSelector, namedList, setOf, stringEnum, strictObject } from './common.js';
import { ApiKeyAuthentication, JwtAuthentication } from './authn.js';
import { Authorization } from './authz.js';
import { Logging, RateLimit, RequestValidation, Segmentation } from './traffic.js';

/** Enforce or only observe. */
export const PolicyMode = stringEnum(
  ['Enforce', 'Audit'] as const,
  'Enforce: requests are allowed or denied. Audit: every decision is logged and counted, nothing is ever blocked.',
  'Enforce',
);

/** Mutual TLS between workloads. */
export const MutualTls = strictObject(
  {
    mode: Type.Optional(
      stringEnum(
        ['STRICT', 'PERMISSIVE', 'DISABLE'] as const,
        'STRICT: only mTLS connections are accepted. PERMISSIVE: mTLS and plaintext. DISABLE: plaintext only.',
        'STRICT',
      ),
    ),
  },
  'Mutual TLS for connections into the workload.',
  { default: {} },
);

/** The desired state of an ApiSecurityPolicy. */
export const ApiSecurityPolicySpec = strictObject(
  {
    selector: labelSelector(
      'Workloads in the policy namespace this policy applies to, by pod label; `{}` selects every workload.',
    ),
    ports: Type.Optional(
      setOf(
        Type.Integer({ minimum: 1, maximum: 65535 }),
        64,
        'Container ports the policy protects; default every container port of the selected workloads.',
      ),
    ),
    mode: Type.Optional(PolicyMode),
    mtls: Type.Optional(MutualTls),
    jwt: Type.Optional(JwtAuthentication),
    apiKeys: Type.Optional(ApiKeyAuthentication),
    authorization: Type.Optional(Authorization),
    rateLimits: Type.Optional(
      namedList(RateLimit, { maxItems: 64 }, 'Token-bucket rate limits; every matching limit applies.'),
    ),
    requestValidation: Type.Optional(RequestValidation),
    segmentation: Type.Optional(Segmentation),
    logging: Type.Optional(Logging),
  },
  'How requests to the selected workloads are authenticated, authorized, limited, validated and logged.',
  cel(
    {
      rule: '!has(self.authorization) || !has(self.authorization.rules) || has(self.jwt) || self.authorization.rules.all(r, !has(r.from) || !has(r.from.jwtClaims))',
      message: 'authorization rules name JWT claims but spec.jwt configures no provider',
      fieldPath: '.authorization.rules',
    },
    {
      rule: '!has(self.rateLimits) || has(self.jwt) || self.rateLimits.all(l, !has(l.key) || !has(l.key.jwtClaim))',
      message: 'a rate limit is keyed by a JWT claim but spec.jwt configures no provider',
      fieldPath: '.rateLimits',
    },
    {
      rule: '!has(self.rateLimits) || has(self.apiKeys) || self.rateLimits.all(l, !has(l.key) || !has(l.key.apiKeyClient))',
      message: 'a rate limit is keyed by the API-key client but spec.apiKeys configures no clients',
      fieldPath: '.rateLimits',
    },
  ),
);

/** A standard Kubernetes condition (metav1.Condition). */
export const Condition = strictObject(
  {
    type: Type.String({
      description: 'Condition type, e.g. Accepted, ResolvedRefs, Programmed.',
      maxLength: 316,
    }),
    status: stringEnum(['True', 'False', 'Unknown'] as const, 'True, False or Unknown.'),
    observedGeneration: Type.Optional(
      Type.Integer({ description: 'The .metadata.generation the condition was set from.', minimum: 0 }),
    ),
    lastTransitionTime: Type.String({
      description: 'When the condition last changed status.',
      format: 'date-time',
      maxLength: 64,
    }),
    reason: Type.String({
      description: 'A CamelCase reason for the status, for machines.',
      pattern: '^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$',
      minLength: 1,
      maxLength: 1024,
    }),
    message: Type.String({ description: 'A message for humans.', maxLength: 32768 }),
  },
  'A standard Kubernetes condition.',
);

/** The observed state of an ApiSecurityPolicy, written by aspen. */
export const ApiSecurityPolicyStatus = strictObject(
  {
    observedGeneration: Type.Optional(
      Type.Integer({ description: 'The .metadata.generation this status describes.', minimum: 0 }),
    ),
    conditions: Type.Optional(
      Type.Array(Condition, {
        description: 'Accepted, ResolvedRefs and Programmed conditions.',
        maxItems: 16,
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-list-map-keys': ['type'],
      }),
    ),
    workloads: Type.Optional(
      Type.Integer({ description: 'Number of workloads the policy selects.', minimum: 0 }),
    ),
    proxies: Type.Optional(
      strictObject(
        {
          connected: Type.Integer({
            description: 'Connected proxies of the selected workloads.',
            minimum: 0,
          }),
          acked: Type.Integer({
            description: 'Proxies that accepted the configuration carrying this policy.',
            minimum: 0,
          }),
          rejected: Type.Integer({
            description: 'Proxies that rejected it (see the Programmed condition).',
            minimum: 0,
          }),
        },
        'Proxy counts for the selected workloads.',
      ),
    ),
  },
  'Whether the policy is accepted and programmed into every selected proxy.',
);
