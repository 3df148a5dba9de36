/** HTTP plumbing of the fake API server: reading JSON bodies and answering JSON or a `Status` error. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, statusBody } from './errors.js';

/** Reads the request body as JSON (undefined when empty); 400 for malformed JSON. */
export async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ApiError(400, 'BadRequest', 'request body is not JSON');
  }
}

/** Answers `body` as JSON with `code`. */
export function sendJson(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** Answers an error as a `Status` (non-ApiErrors become 500). */
export function sendError(res: ServerResponse, error: unknown): void {
  const apiError =
    error instanceof ApiError
      ? error
      : new ApiError(500, 'InternalError', error instanceof Error ? error.message : String(error));
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, apiError.code, statusBody(apiError));
}
