/** API errors the fake API server answers with, shaped as a Kubernetes `meta/v1 Status`. */

/** An error with an HTTP code and a Kubernetes reason (`NotFound`, `AlreadyExists`, `Conflict`, `Gone`, …). */
export class ApiError extends Error {
  /** HTTP status code. */
  readonly code: number;
  /** Kubernetes `Status.reason`. */
  readonly reason: string;

  /** An error answered with `code` and `reason`. */
  constructor(code: number, reason: string, message: string) {
    super(message);
    this.code = code;
    this.reason = reason;
  }
}

/** The `Status` body of an error. */
export function statusBody(error: ApiError): Record<string, unknown> {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: error.message,
    reason: error.reason,
    code: error.code,
  };
}

/** 404 for a missing object. */
export function notFound(what: string): ApiError {
  return new ApiError(404, 'NotFound', `${what} not found`);
}

/** 409 for a resourceVersion mismatch. */
export function conflict(what: string): ApiError {
  return new ApiError(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${what}: the object has been modified; please apply your changes to the latest version and try again`,
  );
}

/** 410 for a watch from a compacted resourceVersion. */
export function gone(resourceVersion: string): ApiError {
  return new ApiError(410, 'Expired', `too old resource version: ${resourceVersion}`);
}
