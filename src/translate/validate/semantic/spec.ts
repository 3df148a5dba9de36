/**
 * Semantic checks of a schema-valid, defaulted spec: what the schema and the CRD's CEL rules cannot express (or not
 * within the API server's CEL cost budget). Every problem carries its field path.
 */
import type {
  ApiSecurityPolicySpec,
  AuthorizationRule,
  JwtProvider,
  RateLimit,
} from '../../../api/v1alpha1/types.js';
import { parseDuration } from '../../duration.js';
import type { PathSegment, Problem } from '../../problem.js';
import { jwksDocumentProblem } from '../../jwks-document.js';
import { cidrProblem, jwksUriProblem } from './network.js';
import { forwardHeaderProblem, pathPatternProblem, spiffeIdProblem } from './values.js';

/** Inclusive bounds of each duration field, in milliseconds. */
const DURATION_BOUNDS = {
  cacheDuration: [1_000, 86_400_000],
  timeout: [1, 60_000],
  clockSkew: [0, 600_000],
  per: [50, 86_400_000],
} as const;

/** Every semantic problem of the spec, with paths from the object root. */
export function semanticProblems(spec: ApiSecurityPolicySpec): Problem[] {
  const ctx = ruleContext(spec);
  const providers = spec.jwt?.providers ?? [];
  return [
    ...providers.flatMap((p, i) => providerProblems(p, ['spec', 'jwt', 'providers', i])),
    ...duplicateIssuers(providers),
    ...(spec.authorization?.rules ?? []).flatMap((rule, i) =>
      ruleProblems(rule, ['spec', 'authorization', 'rules', i], ctx),
    ),
    ...(spec.rateLimits ?? []).flatMap((limit, i) =>
      rateLimitProblems(limit, ['spec', 'rateLimits', i], ctx),
    ),
    ...(ctx.noPeerIdentity && spec.segmentation !== undefined
      ? [problem(['spec', 'segmentation'], 'needs peer identities from mTLS, but mtls.mode is DISABLE')]
      : []),
  ];
}

function ruleContext(spec: ApiSecurityPolicySpec): RuleContext {
  return {
    allowParams: spec.requestValidation?.allowPathParameters === true,
    clients: new Set((spec.apiKeys?.clients ?? []).map((c) => c.name)),
    noPeerIdentity: spec.mtls?.mode === 'DISABLE',
  };
}

function problem(path: PathSegment[], message: string): Problem {
  return { path, message };
}

function durationProblem(
  value: string | undefined,
  field: keyof typeof DURATION_BOUNDS,
  path: PathSegment[],
): Problem[] {
  if (value === undefined) return [];
  const ms = parseDuration(value);
  const [min, max] = DURATION_BOUNDS[field];
  if (ms === undefined || ms < min || ms > max) {
    return [problem(path, `must be between ${formatMs(min)} and ${formatMs(max)}`)];
  }
  return [];
}

function formatMs(ms: number): string {
  if (ms % 3_600_000 === 0 && ms > 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0 && ms > 0) return `${ms / 60_000}m`;
  if (ms % 1_000 === 0) return `${ms / 1_000}s`;
  return `${ms}ms`;
}

function providerProblems(provider: JwtProvider, path: PathSegment[]): Problem[] {
  const remote = provider.jwks.remote;
  const uriProblem = remote === undefined ? undefined : jwksUriProblem(remote.uri);
  return [
    ...(uriProblem === undefined ? [] : [problem([...path, 'jwks', 'remote', 'uri'], uriProblem)]),
    ...durationProblem(remote?.cacheDuration, 'cacheDuration', [...path, 'jwks', 'remote', 'cacheDuration']),
    ...durationProblem(remote?.timeout, 'timeout', [...path, 'jwks', 'remote', 'timeout']),
    ...durationProblem(provider.clockSkew, 'clockSkew', [...path, 'clockSkew']),
    ...inlineJwksProblems(provider.jwks.inline, [...path, 'jwks', 'inline']),
    ...(provider.forwardClaims ?? []).flatMap((f, i) => {
      const why = forwardHeaderProblem(f.header);
      return why === undefined ? [] : [problem([...path, 'forwardClaims', i, 'header'], why)];
    }),
  ];
}

/** Problems of an inline JWKS document, at `path`; never echoes its content. */
function inlineJwksProblems(text: string | undefined, path: PathSegment[]): Problem[] {
  const why = text === undefined ? undefined : jwksDocumentProblem(text);
  return why === undefined ? [] : [problem(path, why)];
}

function duplicateIssuers(providers: JwtProvider[]): Problem[] {
  const first = new Map<string, number>();
  return providers.flatMap((p, i) => {
    const seen = first.get(p.issuer);
    if (seen === undefined) first.set(p.issuer, i);
    return seen === undefined
      ? []
      : [problem(['spec', 'jwt', 'providers', i, 'issuer'], `duplicate issuer (also providers[${seen}])`)];
  });
}

/** Facts of the whole spec that rule checks need. */
interface RuleContext {
  allowParams: boolean;
  clients: Set<string>;
  noPeerIdentity: boolean;
}

function ruleProblems(rule: AuthorizationRule, path: PathSegment[], ctx: RuleContext): Problem[] {
  const from = rule.from ?? {};
  const at = (field: string, i: number): PathSegment[] => [...path, 'from', field, i];
  return [
    ...(from.principals ?? []).flatMap((p, i) => check(spiffeIdProblem(p), at('principals', i))),
    ...(from.ipBlocks ?? []).flatMap((c, i) => check(cidrProblem(c), at('ipBlocks', i))),
    ...(from.apiKeyClients ?? []).flatMap((c, i) =>
      check(
        ctx.clients.has(c) ? undefined : `no API-key client "${c}" in spec.apiKeys.clients`,
        at('apiKeyClients', i),
      ),
    ),
    ...(rule.to?.paths ?? []).flatMap((p, i) =>
      check(pathPatternProblem(p, ctx.allowParams), [...path, 'to', 'paths', i]),
    ),
    ...(ctx.noPeerIdentity && (from.principals ?? from.namespaces) !== undefined
      ? [
          problem(
            [...path, 'from'],
            'principals and namespaces need mTLS peer identities, but mtls.mode is DISABLE',
          ),
        ]
      : []),
  ];
}

function check(why: string | undefined, path: PathSegment[]): Problem[] {
  return why === undefined ? [] : [problem(path, why)];
}

function rateLimitProblems(limit: RateLimit, path: PathSegment[], ctx: RuleContext): Problem[] {
  const { allowParams } = ctx;
  return [
    ...durationProblem(limit.per, 'per', [...path, 'per']),
    ...(limit.match?.paths ?? []).flatMap((p, i) =>
      check(pathPatternProblem(p, allowParams), [...path, 'match', 'paths', i]),
    ),
  ];
}
