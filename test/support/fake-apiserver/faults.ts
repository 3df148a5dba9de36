/**
 * Test hooks of the fake API server: request recording and error injection for the next N matching requests.
 */
import { ApiError } from './errors.js';

/** A request as recorded (bodies parsed; the Authorization header only as present/absent). */
export interface RecordedRequest {
  /** HTTP method. */
  readonly method: string;
  /** Path without query. */
  readonly path: string;
  /** Query parameters. */
  readonly query: Readonly<Record<string, string>>;
  /** Content-Type header ('' when absent). */
  readonly contentType: string;
  /** Parsed JSON body, when one was sent. */
  body?: unknown;
}

/** What {@link Faults.failNext} injects and for which requests. */
export interface FaultOptions {
  /** HTTP code (default 500). */
  readonly code?: number;
  /** Status reason (default InternalError). */
  readonly reason?: string;
  /** Only requests with this method (any when absent). */
  readonly method?: string;
  /** Only requests whose path contains this string or matches this expression (any when absent). */
  readonly path?: string | RegExp;
  /** Only watch requests (true) or only non-watch requests (false); any when absent. */
  readonly watch?: boolean;
}

interface Pending {
  remaining: number;
  readonly options: FaultOptions;
}

function matches(options: FaultOptions, request: RecordedRequest): boolean {
  if (options.method !== undefined && options.method.toUpperCase() !== request.method) return false;
  const isWatch = request.query['watch'] === 'true' || request.query['watch'] === '1';
  if (options.watch !== undefined && options.watch !== isWatch) return false;
  if (options.path === undefined) return true;
  return typeof options.path === 'string'
    ? request.path.includes(options.path)
    : options.path.test(request.path);
}

/** Recorded requests and pending injected failures. */
export class Faults {
  /** Every request served, oldest first. */
  readonly requests: RecordedRequest[] = [];
  private readonly pending: Pending[] = [];

  /** Fails the next `count` requests matching `options` with the given error. */
  failNext(count: number, options: FaultOptions = {}): void {
    this.pending.push({ remaining: count, options });
  }

  /** Records a request; returns the injected error it must fail with, if any. */
  admit(request: RecordedRequest): ApiError | undefined {
    this.requests.push(request);
    const hit = this.pending.find((p) => p.remaining > 0 && matches(p.options, request));
    if (hit === undefined) return undefined;
    hit.remaining -= 1;
    return new ApiError(hit.options.code ?? 500, hit.options.reason ?? 'InternalError', 'injected failure');
  }
}
