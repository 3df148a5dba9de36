/**
 * AdmissionReview `admission.k8s.io/v1`: checking what the API server sent and building the answer. A body that is
 * not a v1 AdmissionReview with a request uid is a {@link ReviewError} (the server answers 400); everything else is
 * answered inside the review (allowed or denied, with warnings).
 */

/** `group/version/kind` of the object under review. */
export interface GroupVersionKind {
  /** API group (`""` for core). */
  readonly group: string;
  /** Version. */
  readonly version: string;
  /** Kind. */
  readonly kind: string;
}

/** The parts of an AdmissionRequest aspen reads. */
export interface AdmissionRequest {
  /** Echoed in the response. */
  readonly uid: string;
  /** Kind of the object. */
  readonly kind: GroupVersionKind;
  /** Namespace of the request (a pod's own `metadata.namespace` may be empty on create). */
  readonly namespace: string;
  /** CREATE, UPDATE, DELETE or CONNECT. */
  readonly operation: string;
  /** The object (absent on DELETE). */
  readonly object: Record<string, unknown> | undefined;
  /** True for `--dry-run=server` requests. */
  readonly dryRun: boolean;
}

/** One field-level cause of a denial. */
export interface DenialCause {
  /** Dotted field path (`spec.jwt.providers[0].issuer`). */
  readonly field: string;
  /** What is wrong. */
  readonly message: string;
}

/** The answer to one request. */
export interface AdmissionResponse {
  /** The request's uid. */
  readonly uid: string;
  /** Admit or refuse. */
  readonly allowed: boolean;
  /** Why a request was refused. */
  readonly status?: {
    readonly code: number;
    readonly reason: string;
    readonly message: string;
    readonly details?: {
      readonly group?: string;
      readonly kind?: string;
      readonly name?: string;
      readonly causes?: readonly { field: string; message: string; reason: string }[];
    };
  };
  /** Base64 of an RFC 6902 patch. */
  readonly patch?: string;
  /** `JSONPatch` when `patch` is set. */
  readonly patchType?: 'JSONPatch';
  /** Warnings shown by kubectl. */
  readonly warnings?: readonly string[];
}

/** A body that is not a usable AdmissionReview. */
export class ReviewError extends Error {}

const API_VERSION = 'admission.k8s.io/v1';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function parseKind(value: unknown): GroupVersionKind {
  if (!isRecord(value) || text(value.kind) === '') throw new ReviewError('request.kind is missing');
  return { group: text(value.group), version: text(value.version), kind: text(value.kind) };
}

/** Reads an AdmissionReview body (already JSON-parsed); throws {@link ReviewError} when it is not one. */
export function parseReview(body: unknown): AdmissionRequest {
  if (!isRecord(body)) throw new ReviewError('body is not a JSON object');
  if (body.apiVersion !== API_VERSION || body.kind !== 'AdmissionReview') {
    throw new ReviewError(`body is not an ${API_VERSION} AdmissionReview`);
  }
  const request = body.request;
  if (!isRecord(request)) throw new ReviewError('AdmissionReview has no request');
  const uid = text(request.uid);
  if (uid === '') throw new ReviewError('request.uid is missing');
  const object = request.object;
  if (object !== undefined && object !== null && !isRecord(object)) {
    throw new ReviewError('request.object is not an object');
  }
  return {
    uid,
    kind: parseKind(request.kind),
    namespace: text(request.namespace),
    operation: text(request.operation),
    object: isRecord(object) ? object : undefined,
    dryRun: request.dryRun === true,
  };
}

/** The AdmissionReview carrying `response`. */
export function reviewResponse(response: AdmissionResponse): Record<string, unknown> {
  return { apiVersion: API_VERSION, kind: 'AdmissionReview', response };
}

/** Admits, with optional warnings and patch. */
export function allow(
  uid: string,
  warnings: readonly string[] = [],
  patch?: readonly unknown[],
): AdmissionResponse {
  const withPatch =
    patch === undefined || patch.length === 0
      ? {}
      : { patch: Buffer.from(JSON.stringify(patch)).toString('base64'), patchType: 'JSONPatch' as const };
  return { uid, allowed: true, ...withPatch, ...(warnings.length === 0 ? {} : { warnings }) };
}

/** The object a denial is about: kubectl prints `The <kind> "<name>" is invalid: <causes>` with it. */
export interface DenialTarget {
  /** API group. */
  readonly group: string;
  /** Kind. */
  readonly kind: string;
  /** Object name. */
  readonly name: string;
}

/** What a denial says. */
export interface Denial {
  /** HTTP-style code. */
  readonly code: number;
  /** Status reason (`Invalid`, `BadRequest`, …). */
  readonly reason: string;
  /** Message. */
  readonly message: string;
  /** Field causes. */
  readonly causes?: readonly DenialCause[];
  /** The object refused. */
  readonly target?: DenialTarget;
}

function detailsOf(denial: Denial): NonNullable<AdmissionResponse['status']>['details'] {
  const causes = denial.causes ?? [];
  if (causes.length === 0 && denial.target === undefined) return undefined;
  return {
    ...denial.target,
    ...(causes.length === 0 ? {} : { causes: causes.map((c) => ({ ...c, reason: 'FieldValueInvalid' })) }),
  };
}

/** Refuses, with a message, field causes (and the object they are about) and warnings. */
export function deny(uid: string, denial: Denial, warnings: readonly string[] = []): AdmissionResponse {
  const details = detailsOf(denial);
  return {
    uid,
    allowed: false,
    status: {
      code: denial.code,
      reason: denial.reason,
      message: denial.message,
      ...(details === undefined ? {} : { details }),
    },
    ...(warnings.length === 0 ? {} : { warnings }),
  };
}
