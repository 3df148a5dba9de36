/**
 * Reading a request body with a size limit: the limit is checked against `Content-Length` first and against the
 * bytes actually received, so a lying or chunked client cannot make the server buffer more than the limit.
 */
import type { IncomingMessage } from 'node:http';

/** Why a body was not read. */
export class BodyError extends Error {
  /** HTTP status to answer with. */
  readonly status: number;

  /** A body error with its status. */
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

/** Reads the whole body, refusing (413) more than `limit` bytes. */
export async function readBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(request.headers['content-length'] ?? NaN);
  if (declared > limit) throw new BodyError(413, `body of ${declared} bytes is over the limit of ${limit}`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > limit) throw new BodyError(413, `body is over the limit of ${limit} bytes`);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

/** Checks the content type is JSON (415 otherwise). */
export function checkJson(request: IncomingMessage): void {
  const type = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (type !== 'application/json') {
    throw new BodyError(415, `content type "${type}" is not application/json`);
  }
}

/** Parses JSON (400 when it is not). */
export function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch {
    throw new BodyError(400, 'body is not valid JSON');
  }
}
