/**
 * SDS and xDS transport security: the proxy's secrets (workload certificate + trust bundle), rotation planning, the
 * xDS server's TLS credentials, the token authenticator (ADR 0009) and the sidecar bootstrap.
 */
export {
  BOOTSTRAP_TYPE_URL,
  DEFAULT_TOKEN_PATH,
  DEFAULT_TRUST_BUNDLE_PATH,
  DEFAULT_XDS_ADDRESS,
  POD_NAME_PLACEHOLDER,
  SIDECAR_ADMIN_PORT,
  SIDECAR_STATS_PORT,
  XDS_CLUSTER,
  envoyBootstrap,
} from './bootstrap.js';
export type { BootstrapOptions, EnvoyBootstrap, Json, JsonObject, XdsConnection } from './bootstrap.js';
export { xdsServerCredentials } from './credentials.js';
export type { XdsServerTls, XdsTlsOptions } from './credentials.js';
export { delayUntilWake, planRotation } from './rotation.js';
export type { IssuedRecord, RotationPlan } from './rotation.js';
export {
  SECRET_TYPE_URL,
  encodeSecrets,
  proxySecrets,
  proxySecretsWith,
  trustBundleSecret,
  workloadCertSecret,
} from './secrets.js';
export type { ProxySecrets, ProxySecretsOptions, SecretIdentity } from './secrets.js';
export { DEFAULT_SERVING_TTL_MS, issueServingCert } from './serving.js';
export type { ServingCert, ServingCertRequest } from './serving.js';
export { AUTHORIZATION_METADATA, authorizeWorkload, bearerToken, tokenAuthenticator } from './token-auth.js';
export type {
  TokenAuthenticatorOptions,
  TokenProxyIdentity,
  VerifyToken,
  WorkloadServiceAccount,
} from './token-auth.js';
export {
  DEFAULT_TOKEN_AUDIENCE,
  DEFAULT_TOKEN_REVIEW_TIMEOUT_MS,
  reviewedIdentity,
  tokenReviewVerifier,
} from './token-review.js';
export type { TokenReviewOptions } from './token-review.js';
