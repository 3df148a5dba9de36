/** Small builders for audit inputs: plain objects, defaults that produce no finding, overrides per test. */
import type {
  ApiSecurityPolicy,
  ApiSecurityPolicySpec,
  AuthorizationRule,
} from '../../src/api/v1alpha1/types.js';
import type { AuditInput } from '../../src/audit/input.js';
import { runAuditRules } from '../../src/audit/registry.js';
import type { Finding } from '../../src/audit/finding.js';
import type { FailClosedIR, PolicySetIR, ProxyIR } from '../../src/ir/index.js';
import { emptySnapshot } from '../../src/provider/snapshot.js';
import type { Problem } from '../../src/translate/problem.js';
import type { ConditionIR, PolicyStatus } from '../../src/translate/status.js';

/** Namespace every fixture lives in unless told otherwise. */
export const NS = 'shop';

/** A policy selecting every workload, with only the fields given (a bare policy has no findings). */
export function policy(
  name: string,
  spec: Partial<ApiSecurityPolicySpec> = {},
  namespace = NS,
): ApiSecurityPolicy {
  return {
    apiVersion: 'aspen.dev/v1alpha1',
    kind: 'ApiSecurityPolicy',
    metadata: { name, namespace },
    spec: { selector: {}, ...spec },
  };
}

/** A JWT provider with an audience, read from the Authorization header. */
export function jwtProvider(
  name = 'corp',
  extra: Partial<NonNullable<ApiSecurityPolicySpec['jwt']>['providers'][number]> = {},
): NonNullable<ApiSecurityPolicySpec['jwt']>['providers'][number] {
  return {
    name,
    issuer: 'https://login.example.com/',
    audiences: ['orders-api'],
    jwks: { remote: { uri: 'https://login.example.com/jwks.json' } },
    ...extra,
  };
}

/** Authorization with the given rules and default Deny. */
export function rules(...list: AuthorizationRule[]): ApiSecurityPolicySpec['authorization'] {
  return { defaultAction: 'Deny', rules: list };
}

/** An HTTP method as the API types it. */
export type Method = NonNullable<NonNullable<AuthorizationRule['to']>['methods']>[number];

/** A rule allowing anyone to call the given methods (none: every method) on the given paths (none: every path). */
export function openRule(name: string, methods?: Method[], paths?: string[]): AuthorizationRule {
  const to: NonNullable<AuthorizationRule['to']> = {};
  if (methods !== undefined) to.methods = methods;
  if (paths !== undefined) to.paths = paths;
  return { name, action: 'Allow', ...(methods === undefined && paths === undefined ? {} : { to }) };
}

/**
 * A policy following every recommendation: JWT required with an audience, default deny, reads for a
 * namespace, writes for a claim, a per-address limit, STRICT mTLS, Enforce mode.
 */
export function securePolicy(name = 'orders'): ApiSecurityPolicy {
  return policy(name, {
    selector: { matchLabels: { app: 'orders' } },
    mode: 'Enforce',
    mtls: { mode: 'STRICT' },
    jwt: { required: true, providers: [jwtProvider()] },
    apiKeys: {
      from: { header: 'x-api-key' },
      clients: [{ name: 'partner-a', secretRef: { name: 'k', key: 'key' } }],
    },
    authorization: rules(
      { name: 'read', action: 'Allow', from: { namespaces: ['shop'] }, to: { methods: ['GET'] } },
      { name: 'write', action: 'Allow', from: { jwtClaims: [{ name: 'scope', values: ['orders.write'] }] } },
    ),
    rateLimits: [{ name: 'per-ip', key: { remoteAddress: {} }, requests: 100, per: '1m' }],
    segmentation: { allowFrom: [{ podSelector: { matchLabels: { app: 'frontend' } } }] },
  });
}

/** Enforced settings of a port: the mesh defaults unless overridden. */
export function policySet(overrides: Partial<PolicySetIR> = {}): PolicySetIR {
  return {
    mtls: 'STRICT',
    authorization: { defaultAction: 'Deny', rules: [] },
    rateLimits: [],
    requestValidation: { requiredHeaders: [], allowPathParameters: false, openapi: [] },
    ...overrides,
  };
}

/** Options of a proxy fixture. */
export interface ProxyOptions {
  /** Namespace (default NS). */
  namespace?: string;
  /** Policies selecting the workload (default none). */
  policies?: string[];
  /** Default action enforced on its port (default Deny). */
  defaultAction?: 'Allow' | 'Deny';
  /** Policies failing closed on its port. */
  failClosed?: FailClosedIR[];
}

/** A Deployment's proxy with one port, 8080. */
export function proxy(name: string, opts: ProxyOptions = {}): ProxyIR {
  const namespace = opts.namespace ?? NS;
  const policies = opts.policies ?? [];
  return {
    key: `${namespace}/${name}`,
    workload: { namespace, name, kind: 'Deployment', serviceAccount: name },
    identity: `spiffe://cluster.local/ns/${namespace}/sa/${name}`,
    policies,
    outbound: [],
    ports: [
      {
        port: 8080,
        policies,
        enforce: policySet({ authorization: { defaultAction: opts.defaultAction ?? 'Deny', rules: [] } }),
        accessLog: { enabled: true, redactHeaders: ['authorization', 'cookie'] },
        failClosed: opts.failClosed ?? [],
      },
    ],
  };
}

/** A status with the given conditions and problems. */
export function status(
  name: string,
  conditions: ConditionIR[],
  problems: Problem[] = [],
  namespace = NS,
): PolicyStatus {
  return { namespace, name, observedGeneration: 1, workloads: 1, conditions, problems };
}

/** A condition; the translator starts the message of a failing one with the field path of its first problem. */
export function condition(type: string, ok: boolean, reason: string, message = ''): ConditionIR {
  return { type, status: ok ? 'True' : 'False', reason, message };
}

/** The status of an accepted policy with resolved references. */
export function acceptedStatus(name: string): PolicyStatus {
  return status(name, [
    condition('Accepted', true, 'Accepted'),
    condition('ResolvedRefs', true, 'ResolvedRefs'),
  ]);
}

/** An audit input from the parts given; the rest empty. */
export function auditInput(parts: Partial<Omit<AuditInput, 'snapshot'>> = {}): AuditInput {
  return { snapshot: emptySnapshot(), proxies: [], statuses: [], policies: [], ...parts };
}

/** The findings of one rule for the given policies. */
export function findingsFor(ruleId: string, ...policies: ApiSecurityPolicy[]): Finding[] {
  return findingsIn(ruleId, auditInput({ policies }));
}

/** The findings of one rule for an input. */
export function findingsIn(ruleId: string, input: AuditInput): Finding[] {
  return runAuditRules(input).filter((f) => f.ruleId === ruleId);
}
