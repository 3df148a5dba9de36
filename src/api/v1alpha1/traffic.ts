/** Schema of the traffic parts of a policy: rate limits, request validation, segmentation and logging. */
import {
  Type,
  ConfigMapKeyRef,
  HttpMethod,
  PathPattern,
  cel,
  duration,
  dnsLabel,
  exactlyOneOf,
  headerName,
  labelSelector,
  setOf,
  stringEnum,
  strictObject,
} from './common.js';

/** Which requests a rate limit counts. */
export const RateLimitMatch = strictObject(
  {
    methods: Type.Optional(setOf(HttpMethod, 9, 'HTTP methods counted; empty counts every method.')),
    paths: Type.Optional(setOf(PathPattern, 64, 'Paths counted; empty counts every path.')),
  },
  'The requests a rate limit counts; an omitted match counts every request.',
);

/** What a rate limit counts per. */
export const RateLimitKey = strictObject(
  {
    jwtClaim: Type.Optional(
      Type.String({ description: 'One bucket per value of this JWT claim.', maxLength: 256 }),
    ),
    header: Type.Optional(headerName('One bucket per value of this request header.')),
    remoteAddress: Type.Optional(strictObject({}, 'One bucket per client IP address.')),
    apiKeyClient: Type.Optional(strictObject({}, 'One bucket per API-key client.')),
  },
  'What requests are counted per: exactly one of jwtClaim, header, remoteAddress or apiKeyClient.',
  cel(exactlyOneOf(['jwtClaim', 'header', 'remoteAddress', 'apiKeyClient'])),
);

/** One rate limit. */
export const RateLimit = strictObject(
  {
    name: dnsLabel('Limit name, unique in the policy; appears in metrics and rate-limit descriptors.'),
    match: Type.Optional(RateLimitMatch),
    key: Type.Optional(RateLimitKey),
    requests: Type.Integer({ description: 'Requests allowed per `per`.', minimum: 1, maximum: 1000000000 }),
    per: duration('The refill interval of the token bucket, e.g. `1s`, `1m`, `1h`; between 50ms and 24h.'),
    burst: Type.Optional(
      Type.Integer({
        description: 'Extra requests allowed in a burst above `requests`.',
        minimum: 0,
        maximum: 1000000000,
        default: 0,
      }),
    ),
    scope: Type.Optional(
      stringEnum(
        ['Local', 'Global'] as const,
        'Local: a token bucket in each sidecar. Global: counters shared by every replica (aspen rate-limit service).',
        'Local',
      ),
    ),
    failureMode: Type.Optional(
      stringEnum(
        ['Open', 'Closed'] as const,
        'Global limits only: what happens when the shared counters (Redis) or the rate-limit service cannot be reached. Closed refuses the request; Open lets it through uncounted. Ignored for Local limits.',
        'Closed',
      ),
    ),
  },
  'A token-bucket rate limit: `requests` per `per` plus `burst`, answered 429 when exhausted.',
);

/** Checks made on every request before it reaches the application. */
export const RequestValidation = strictObject(
  {
    maxBodyBytes: Type.Optional(
      Type.Integer({
        description: 'Largest request body accepted (413 above).',
        minimum: 1,
        maximum: 1073741824,
      }),
    ),
    maxHeadersKb: Type.Optional(
      Type.Integer({
        description: 'Largest total request header size, in KiB (431 above).',
        minimum: 1,
        maximum: 8192,
      }),
    ),
    allowedMethods: Type.Optional(setOf(HttpMethod, 9, 'Only these methods are accepted (405 otherwise).')),
    allowedContentTypes: Type.Optional(
      setOf(
        Type.String({ pattern: '^[a-z0-9!#$&^_.+-]+/[a-z0-9!#$&^_.+*-]+$', maxLength: 128 }),
        32,
        'Media types accepted for requests with a body (415 otherwise), e.g. `application/json`.',
      ),
    ),
    requiredHeaders: Type.Optional(
      setOf(headerName('A header name.'), 32, 'Headers every request must carry (400 otherwise).'),
    ),
    allowPathParameters: Type.Optional(
      Type.Boolean({
        description:
          'Accept paths carrying `;` parameters (or `%3B`); refused by default since back-ends disagree on them.',
        default: false,
      }),
    ),
    openapi: Type.Optional(
      strictObject(
        { configMapRef: ConfigMapKeyRef },
        'Validate requests against an OpenAPI document (accepted; enforcement comes in a later release).',
      ),
    ),
  },
  'Checks applied to every request before authorization.',
  { default: {} },
);

/** A set of peer workloads. */
export const SegmentationPeer = strictObject(
  {
    namespaceSelector: Type.Optional(
      labelSelector('Namespaces the peers run in; omitted means the policy namespace.'),
    ),
    podSelector: Type.Optional(labelSelector('Peer workloads by label; omitted means every workload.')),
  },
  'A set of peers: workloads matching podSelector in namespaces matching namespaceSelector.',
);

/** Which peers may open connections to the workload at all (L4). */
export const Segmentation = strictObject(
  {
    allowFrom: Type.Array(SegmentationPeer, {
      description: 'Peers allowed to connect; an empty list allows none.',
      maxItems: 32,
    }),
  },
  'Network segmentation: only the listed peers may connect (enforced by the sidecar and by a NetworkPolicy).',
);

/** Audit logging settings. */
export const Logging = strictObject(
  {
    accessLog: Type.Optional(
      Type.Boolean({
        description: 'Log every request with its decision (policy, rule, allow/deny).',
        default: true,
      }),
    ),
    redactHeaders: Type.Optional(
      setOf(
        headerName('A header name.'),
        32,
        'Headers whose values are replaced by `[REDACTED]` in logs; authorization, cookie and the API-key header always are.',
      ),
    ),
  },
  'Audit logging of the requests this policy decides on.',
  { default: {} },
);
