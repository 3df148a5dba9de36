/** TypeScript types of the ApiSecurityPolicy API, derived from the schemas (never written by hand). */
import type { Static } from '@sinclair/typebox';
import type * as S from './policy.js';
import type * as A from './authn.js';
import type * as Z from './authz.js';
import type * as T from './traffic.js';

/** spec of an ApiSecurityPolicy. */
export type ApiSecurityPolicySpec = Static<typeof S.ApiSecurityPolicySpec>;
/** status of an ApiSecurityPolicy. */
export type ApiSecurityPolicyStatus = Static<typeof S.ApiSecurityPolicyStatus>;
/** A metav1.Condition. */
export type Condition = Static<typeof S.Condition>;
/** Enforce | Audit. */
export type PolicyMode = Static<typeof S.PolicyMode>;
/** STRICT | PERMISSIVE | DISABLE. */
export type MtlsMode = NonNullable<Static<typeof S.MutualTls>['mode']>;
/** spec.jwt. */
export type JwtAuthentication = Static<typeof A.JwtAuthentication>;
/** spec.jwt.providers[]. */
export type JwtProvider = Static<typeof A.JwtProvider>;
/** spec.jwt.providers[].from[]. */
export type TokenSource = Static<typeof A.TokenSource>;
/** spec.jwt.providers[].jwks. */
export type Jwks = Static<typeof A.Jwks>;
/** spec.apiKeys. */
export type ApiKeyAuthentication = Static<typeof A.ApiKeyAuthentication>;
/** spec.authorization. */
export type Authorization = Static<typeof Z.Authorization>;
/** spec.authorization.rules[]. */
export type AuthorizationRule = Static<typeof Z.AuthorizationRule>;
/** spec.authorization.rules[].from. */
export type RuleSource = Static<typeof Z.RuleSource>;
/** spec.authorization.rules[].to. */
export type RuleTarget = Static<typeof Z.RuleTarget>;
/** spec.rateLimits[]. */
export type RateLimit = Static<typeof T.RateLimit>;
/** spec.requestValidation. */
export type RequestValidation = Static<typeof T.RequestValidation>;
/** spec.segmentation. */
export type Segmentation = Static<typeof T.Segmentation>;
/** spec.logging. */
export type Logging = Static<typeof T.Logging>;
/** A Kubernetes label selector. */
export type LabelSelector = ApiSecurityPolicySpec['selector'];

/** The metadata aspen reads from any Kubernetes object. */
export interface ObjectMeta {
  /** Object name. */
  name: string;
  /** Namespace; filled from --namespace (default `default`) when a manifest omits it. */
  namespace: string;
  /** Labels. */
  labels?: Record<string, string>;
  /** Annotations. */
  annotations?: Record<string, string>;
  /** Generation, set by the API server; absent in files. */
  generation?: number;
  /** UID, set by the API server. */
  uid?: string;
}

/** An ApiSecurityPolicy as aspen works with it: spec already defaulted and valid. */
export interface ApiSecurityPolicy {
  /** Always `aspen.dev/v1alpha1`. */
  apiVersion: string;
  /** Always `ApiSecurityPolicy`. */
  kind: string;
  /** Object metadata. */
  metadata: ObjectMeta;
  /** Desired state. */
  spec: ApiSecurityPolicySpec;
  /** Observed state. */
  status?: ApiSecurityPolicyStatus;
}
