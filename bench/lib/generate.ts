/**
 * A generated, realistic cluster for the benchmarks: namespaces of workloads, each behind a Service, and policies that
 * use every feature of the API in rotating mixes (mTLS modes, remote/Secret/inline JWKS, API keys, authorization
 * rules on principals, namespaces, claims and IP blocks, local and global rate limits, request validation with an
 * OpenAPI reference, segmentation, access-log redaction, Audit mode). Deterministic: the same sizes give the same
 * snapshot, so two runs (and the Go peer) see identical inputs.
 */
import type {
  DataObject,
  RawPolicy,
  ResourceSnapshot,
  Service,
  Workload,
} from '../../src/provider/snapshot.js';

/** How big the generated cluster is. */
export interface ClusterSize {
  /** Namespaces; workloads and policies are spread evenly over them. */
  namespaces: number;
  /** Workloads (one proxy each), each behind its own Service. */
  workloads: number;
  /** ApiSecurityPolicies; each selects the workloads of one group (two workloads share a group label). */
  policies: number;
  /**
   * `scoped` (default): workloads declare what they call with `aspen.dev/egress` (their own namespace and three
   * services elsewhere), except 1 in 50 (gateways, batch jobs) that receive the whole mesh; `mesh`: no workload is
   * scoped, every proxy receives every meshed service.
   */
  egress?: 'scoped' | 'mesh';
  /**
   * Prefix of namespace names (default `team`): a cluster of the same shape with another prefix shares no namespace,
   * host or identity with this one, so warming the JIT on it leaves every content memo cold for this one.
   */
  prefix?: string;
}

/** The egress annotation of workload `index`, or none (see {@link ClusterSize.egress}). */
function egressOf(index: number, size: ClusterSize): Record<string, string> {
  if (size.egress === 'mesh' || index % 50 === 49) return {};
  const callee = (n: number): string => {
    const other = n % size.workloads;
    return `${nsName(Math.floor(other / Math.ceil(size.workloads / size.namespaces)), size)}/app-${pad(other)}`;
  };
  const calls = [callee(index * 7 + 101), callee(index * 13 + 7), callee(index * 31 + 3)];
  return { 'aspen.dev/egress': ['./*', ...calls].join(', ') };
}

/** One line describing the egress mix, for the benchmarks' input lines. */
export function egressLine(size: ClusterSize): string {
  return size.egress === 'mesh'
    ? 'egress: not scoped (every proxy receives every meshed service)'
    : 'egress: scoped with aspen.dev/egress (own namespace + 3 services elsewhere), 1 workload in 50 unscoped';
}

/** The sizes: 1,000 policies over 2,000 workloads in 50 namespaces. */
export const FULL_SIZE: ClusterSize = { namespaces: 50, workloads: 2000, policies: 1000 };

const JWKS =
  '{"keys":[{"kty":"EC","crv":"P-256","kid":"k1","use":"sig","alg":"ES256","x":"5p3zUwV3n8UqbvEHGLkqYD-GaYVnT3Ggl9l2HD971kc","y":"Cr_got1p-_cF4oisE2WQTpm0_NfCVNCAouqddSL78ps"}]}';

const pad = (n: number, width = 4): string => String(n).padStart(width, '0');
const nsName = (n: number, size: ClusterSize): string => `${size.prefix ?? 'team'}-${pad(n, 2)}`;

function workload(index: number, size: ClusterSize): Workload {
  const perNs = Math.ceil(size.workloads / size.namespaces);
  const namespace = nsName(Math.floor(index / perNs), size);
  const name = `app-${pad(index)}`;
  const ports: Workload['ports'] = [{ port: 8080, name: 'http', protocol: 'TCP' }];
  if (index % 3 === 0) ports.push({ port: 9090, name: 'metrics', protocol: 'TCP' });
  if (index % 5 === 0) ports.push({ port: 50051, name: 'grpc', protocol: 'TCP' });
  return {
    namespace,
    name,
    kind: index % 10 === 9 ? 'StatefulSet' : 'Deployment',
    labels: {
      app: name,
      group: `g-${pad(Math.floor(index / 2))}`,
      tier: ['api', 'web', 'worker'][index % 3] ?? 'api',
    },
    annotations: egressOf(index, size),
    serviceAccount: `sa-${name}`,
    ports,
  };
}

function service(w: Workload): Service {
  const ports: Service['ports'] = [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }];
  if (w.ports.some((p) => p.port === 50051)) {
    ports.push({ name: 'grpc', port: 50051, targetPort: 50051, protocol: 'TCP' });
  }
  return { namespace: w.namespace, name: w.name, selector: { app: w.name }, ports };
}

function namespaceData(namespace: string): { secrets: DataObject[]; configMaps: DataObject[] } {
  return {
    secrets: [
      { namespace, name: 'partner-jwks', data: { 'jwks.json': JWKS } },
      { namespace, name: 'partner-a-key', data: { key: `key-a-${namespace}` } },
      { namespace, name: 'partner-b-key', data: { key: `key-b-${namespace}` } },
    ],
    configMaps: [{ namespace, name: 'openapi', data: { 'openapi.yaml': 'openapi: 3.1.0' } }],
  };
}

/** The JWT block of policy `i`: a remote JWKS, a Secret JWKS, or an inline one, in turn. */
function jwt(i: number, namespace: string): Record<string, unknown> {
  const providers: Record<string, unknown>[] = [
    {
      name: 'corp',
      issuer: 'https://login.example.com/',
      audiences: [`${namespace}-api`],
      jwks: { remote: { uri: 'https://login.example.com/jwks.json', cacheDuration: '30m', timeout: '2s' } },
      forwardClaims: [{ claim: 'sub', header: 'X-User-Id' }],
    },
  ];
  if (i % 2 === 0) {
    providers.push({
      name: 'partner',
      issuer: 'https://partner.example.com/',
      jwks: { secretRef: { name: 'partner-jwks', key: 'jwks.json' } },
    });
  }
  if (i % 4 === 0) providers.push({ name: 'ci', issuer: 'https://ci.example.com/', jwks: { inline: JWKS } });
  return { required: i % 3 !== 0, providers };
}

function authorization(
  i: number,
  ctx: { namespace: string; other: string; jwt: boolean; keys: boolean },
): unknown {
  const rules: Record<string, unknown>[] = [
    {
      name: 'frontend-reads',
      action: 'Allow',
      from: { principals: [`spiffe://cluster.local/ns/${ctx.other}/sa/sa-app-${pad(i % 2000)}`] },
      to: { methods: ['GET'], paths: ['/items', '/items/*'] },
    },
    { name: 'same-namespace-health', from: { namespaces: [ctx.namespace] }, to: { paths: ['/healthz'] } },
    { name: 'no-admin', action: 'Deny', to: { paths: ['/admin/*'] } },
  ];
  if (ctx.jwt) {
    rules.push({
      name: 'writers',
      from: { jwtClaims: [{ name: 'scope', values: ['items.write'] }] },
      to: { methods: ['POST', 'PUT'], paths: ['/items/*'] },
    });
  }
  if (ctx.keys) {
    rules.push({
      name: 'partners',
      from: { apiKeyClients: ['partner-a'], ipBlocks: ['203.0.113.0/24'] },
      to: { methods: ['GET'] },
    });
  }
  return { defaultAction: i % 6 === 5 ? 'Allow' : 'Deny', rules };
}

function rateLimits(i: number, ctx: { jwt: boolean; keys: boolean }): Record<string, unknown>[] {
  const limits: Record<string, unknown>[] = [
    { name: 'per-address', key: { remoteAddress: {} }, requests: 100, per: '1s', burst: 20 },
  ];
  if (i % 3 === 0)
    limits.push({
      name: 'per-tenant',
      key: { header: 'X-Tenant' },
      requests: 1000,
      per: '1m',
      scope: 'Global',
    });
  if (ctx.jwt)
    limits.push({
      name: 'per-user',
      match: { methods: ['POST'] },
      key: { jwtClaim: 'sub' },
      requests: 50,
      per: '1m',
    });
  if (ctx.keys)
    limits.push({
      name: 'per-partner',
      key: { apiKeyClient: {} },
      requests: 5000,
      per: '1h',
      scope: 'Global',
    });
  return limits;
}

/** The spec of policy `i` in `namespace`, selecting group `group`. */
function policySpec(i: number, namespace: string, other: string, group: string): Record<string, unknown> {
  const hasJwt = i % 3 !== 2;
  const hasKeys = i % 4 === 1;
  const spec: Record<string, unknown> = {
    selector: { matchLabels: { group } },
    mtls: { mode: i % 8 === 7 ? 'PERMISSIVE' : 'STRICT' },
    authorization: authorization(i, { namespace, other, jwt: hasJwt, keys: hasKeys }),
    rateLimits: rateLimits(i, { jwt: hasJwt, keys: hasKeys }),
    logging: { accessLog: true, redactHeaders: ['X-User-Id'] },
  };
  if (i % 7 === 6) spec.mode = 'Audit';
  if (i % 2 === 0) spec.ports = [8080];
  if (hasJwt) spec.jwt = jwt(i, namespace);
  if (hasKeys) {
    spec.apiKeys = {
      from: { header: 'X-Api-Key' },
      clients: [
        { name: 'partner-a', secretRef: { name: 'partner-a-key', key: 'key' } },
        { name: 'partner-b', secretRef: { name: 'partner-b-key', key: 'key' } },
      ],
    };
  }
  if (i % 3 === 1) {
    spec.requestValidation = {
      maxBodyBytes: 1048576,
      maxHeadersKb: 60,
      allowedMethods: ['GET', 'POST', 'PUT'],
      allowedContentTypes: ['application/json'],
      requiredHeaders: ['X-Request-Id'],
      allowPathParameters: true,
      ...(i % 9 === 1 ? { openapi: { configMapRef: { name: 'openapi', key: 'openapi.yaml' } } } : {}),
    };
  }
  if (i % 5 === 4) {
    spec.segmentation = {
      allowFrom: [
        { podSelector: { matchLabels: { tier: 'web' } } },
        {
          namespaceSelector: { matchLabels: { team: other } },
          podSelector: { matchLabels: { tier: 'api' } },
        },
      ],
    };
  }
  return spec;
}

/** Policy `i`: it selects group `i` (two workloads) in that group's namespace. */
export function generatePolicy(i: number, workloads: readonly Workload[], generation = 1): RawPolicy {
  const target = workloads[(i * 2) % workloads.length] as Workload;
  const namespace = target.namespace;
  const other = (workloads[(i * 7 + 101) % workloads.length] as Workload).namespace;
  const name = `policy-${pad(i)}`;
  const spec = policySpec(i, namespace, other, target.labels.group ?? '');
  const apiVersion = 'aspen.dev/v1alpha1';
  const kind = 'ApiSecurityPolicy';
  const object = { apiVersion, kind, metadata: { name, namespace, generation }, spec };
  return { namespace, name, apiVersion, kind, generation, object };
}

const byKey = (a: { namespace: string; name: string }, b: { namespace: string; name: string }): number => {
  const x = `${a.namespace}/${a.name}`;
  const y = `${b.namespace}/${b.name}`;
  return x < y ? -1 : x > y ? 1 : 0;
};

/** The generated cluster as a provider would emit it (every list sorted by namespace, then name). */
export function generateCluster(size: ClusterSize): ResourceSnapshot {
  const workloads = Array.from({ length: size.workloads }, (_, i) => workload(i, size));
  const namespaces = [...new Set(workloads.map((w) => w.namespace))];
  const data = namespaces.map(namespaceData);
  const policies = Array.from({ length: size.policies }, (_, i) => generatePolicy(i, workloads));
  return {
    policies: policies.sort(byKey),
    workloads: [...workloads].sort(byKey),
    services: workloads.map(service).sort(byKey),
    namespaces: namespaces.map((name) => ({ namespace: '', name, labels: { team: name } })),
    secrets: data.flatMap((d) => d.secrets).sort(byKey),
    configMaps: data.flatMap((d) => d.configMaps).sort(byKey),
    endpointSlices: [],
  };
}

/**
 * The same cluster with policy `index` (in generation order) edited: its rate limit changes, as a typical edit
 * would. Returns the new snapshot and the edited policy's key.
 */
export function editPolicy(
  snapshot: ResourceSnapshot,
  index: number,
  size: ClusterSize,
  round = 1,
): { snapshot: ResourceSnapshot; key: string } {
  const workloads = Array.from({ length: size.workloads }, (_, i) => workload(i, size));
  const edited = generatePolicy(index, workloads, 1 + round);
  const spec = (edited.object as { spec: { rateLimits: { requests: number }[] } }).spec;
  const first = spec.rateLimits[0];
  if (first !== undefined) first.requests = 100 + round;
  const key = `${edited.namespace}/${edited.name}`;
  const policies = snapshot.policies.map((p) => (`${p.namespace}/${p.name}` === key ? edited : p));
  return { snapshot: { ...snapshot, policies }, key };
}
