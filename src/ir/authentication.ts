/** IR of request authentication: JWT and API keys. */

/** JWT authentication on one port. */
export interface JwtIR {
  /** True when a request without a valid token must be refused (401) before authorization. */
  required: boolean;
  /** Providers from every policy, sorted by `id`. A token from any of them is accepted. */
  providers: JwtProviderIR[];
}

/** One trusted JWT issuer. */
export interface JwtProviderIR {
  /** Unique id: `<namespace>/<policy>/<provider>`. */
  id: string;
  /** `<namespace>/<name>` of the policy that declared it. */
  policy: string;
  /** Expected `iss`. */
  issuer: string;
  /** Accepted `aud` values; empty accepts any. */
  audiences: string[];
  /** Where the verification keys come from. */
  jwks: JwksIR;
  /** Where tokens are read from, in order. */
  sources: TokenSourceIR[];
  /** Claims copied into request headers (client-sent values of those headers are removed first). */
  forwardClaims: { claim: string; header: string }[];
  /** Clock skew tolerated on `exp`/`nbf`, in seconds. */
  clockSkewSeconds: number;
}

/** A JWKS source: fetched over HTTPS, or the document itself (inline or resolved from a Secret). */
export type JwksIR =
  | { remote: { uri: string; cacheDurationMs: number; timeoutMs: number } }
  | { inline: string; fromSecret?: { namespace: string; name: string; key: string } };

/** One token location. */
export type TokenSourceIR = { header: string; prefix: string } | { query: string } | { cookie: string };

/** API-key authentication on one port. */
export interface ApiKeysIR {
  /** Where the key is read from; header names are lower case. */
  source: { header: string } | { query: string };
  /** Known clients, sorted by `id`. Key material is not carried in the IR; the per-request service reads it. */
  clients: ApiKeyClientIR[];
}

/** One API-key client. */
export interface ApiKeyClientIR {
  /** Unique id: `<namespace>/<policy>/<client>`. */
  id: string;
  /** Client name as rules refer to it. */
  name: string;
  /** The Secret key holding the client's API key. */
  secretRef: { namespace: string; name: string; key: string };
}
