/** JWT authentication: a policy's providers as IR, and the merge of several policies' JWT settings. */
import type { ApiSecurityPolicy, JwtProvider, TokenSource } from '../api/v1alpha1/types.js';
import type { JwksIR, JwtIR, JwtProviderIR, TokenSourceIR } from '../ir/index.js';
import type { CompileContext, CompiledPolicy } from './compiled.js';
import { durationMs } from './duration.js';
import { compareStrings, sortById, sortedUnique } from './sort.js';

/** Where tokens are read from when a provider does not say: `Authorization: Bearer <token>`. */
export const DEFAULT_TOKEN_SOURCE: TokenSourceIR = { header: 'authorization', prefix: 'Bearer ' };

function tokenSource(source: TokenSource): TokenSourceIR {
  if (source.header !== undefined) {
    return { header: source.header.name.toLowerCase(), prefix: source.header.prefix ?? '' };
  }
  if (source.query !== undefined) return { query: source.query };
  return { cookie: source.cookie ?? '' };
}

function jwks(provider: JwtProvider, fromSecret: JwksIR | undefined): JwksIR | undefined {
  const { remote, inline } = provider.jwks;
  if (remote !== undefined) {
    return {
      remote: {
        uri: remote.uri,
        cacheDurationMs: durationMs(remote.cacheDuration, '10m'),
        timeoutMs: durationMs(remote.timeout, '5s'),
      },
    };
  }
  return inline !== undefined ? { inline } : fromSecret;
}

function compileProvider(provider: JwtProvider, keys: JwksIR, ctx: CompileContext): JwtProviderIR {
  const forwardClaims = (provider.forwardClaims ?? [])
    .map((f) => ({ claim: f.claim, header: f.header.toLowerCase() }))
    .sort((a, b) => compareStrings(a.header, b.header) || compareStrings(a.claim, b.claim));
  return {
    id: `${ctx.key}/${provider.name}`,
    policy: ctx.key,
    issuer: provider.issuer,
    audiences: sortedUnique(provider.audiences ?? []),
    jwks: keys,
    sources: provider.from === undefined ? [DEFAULT_TOKEN_SOURCE] : provider.from.map(tokenSource),
    forwardClaims,
    clockSkewSeconds: Math.ceil(durationMs(provider.clockSkew, '60s') / 1000),
  };
}

/**
 * A policy's JWT settings as IR, or undefined when it configures none. `secretJwks` holds the key sets read from
 * Secrets by provider index; a provider whose Secret did not resolve is left out (its tokens are not accepted).
 */
export function compileJwt(
  policy: ApiSecurityPolicy,
  ctx: CompileContext,
  secretJwks: ReadonlyMap<number, JwksIR>,
): JwtIR | undefined {
  const jwt = policy.spec.jwt;
  if (jwt === undefined) return undefined;
  const providers: JwtProviderIR[] = [];
  for (const [i, provider] of jwt.providers.entries()) {
    const keys = jwks(provider, secretJwks.get(i));
    if (keys !== undefined) providers.push(compileProvider(provider, keys, ctx));
  }
  return { required: jwt.required ?? true, providers: sortById(providers) };
}

/** JWT of several policies: providers unioned (sorted by id), a token required if any policy requires one. */
export function mergeJwt(policies: readonly CompiledPolicy[]): JwtIR | undefined {
  const configured = policies.flatMap((p) => (p.set.jwt === undefined ? [] : [p.set.jwt]));
  if (configured.length === 0) return undefined;
  return {
    required: configured.some((j) => j.required),
    providers: sortById(configured.flatMap((j) => j.providers)),
  };
}

/** Header names (lower case) JWT settings read tokens from. */
export function jwtHeaders(jwt: JwtIR | undefined): string[] {
  const sources = (jwt?.providers ?? []).flatMap((p) => p.sources);
  return sources.flatMap((s) => ('header' in s ? [s.header] : []));
}
