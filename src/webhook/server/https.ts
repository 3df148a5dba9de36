/**
 * The webhook HTTPS server (node:https): `POST /inject`, `POST /validate` (AdmissionReview v1 in and out) and
 * `GET /healthz`. The serving certificate is swapped in place (`setSecureContext`) when it rotates, so the socket
 * stays bound and open connections finish. Hostile input gets a 4xx and never takes the server down: bodies over the
 * limit (413), a content type other than JSON (415), malformed JSON or a body that is not an AdmissionReview (400);
 * a handler failure is a 500.
 */
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../../xds/server/types.js';
import { parseReview, reviewResponse, ReviewError } from '../admission/review.js';
import type { AdmissionRequest, AdmissionResponse } from '../admission/review.js';
import { BodyError, checkJson, parseJson, readBody } from './body.js';

/** Default body limit: 4 MiB (an AdmissionReview carries the object and the old object, each up to ~1.5 MiB). */
export const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;

/** Answers one review. */
export type ReviewHandler = (request: AdmissionRequest) => Promise<AdmissionResponse>;

/** Options of {@link WebhookServer}. */
export interface WebhookServerOptions {
  /** Handlers by path (`/inject`, `/validate`). */
  readonly handlers: Readonly<Record<string, ReviewHandler>>;
  /** Body limit in bytes. */
  readonly maxBodyBytes?: number;
  /** Logger. */
  readonly logger: Logger;
  /** Called for every request answered with an HTTP error status. */
  readonly onHttpError?: (status: number) => void;
}

/** A serving certificate as PEM. */
export interface ServingPem {
  /** Certificate chain. */
  readonly certificatePem: string;
  /** Private key (never logged). */
  readonly privateKeyPem: string;
}

function send(response: ServerResponse, status: number, body: unknown): void {
  const text = typeof body === 'string' ? `${body}\n` : JSON.stringify(body);
  response.writeHead(status, {
    'content-type': typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}

/** The HTTPS server; listens before it has a certificate (handshakes fail until {@link setCertificate}). */
export class WebhookServer {
  private readonly server: Server;
  private hasCertificate = false;

  /** A server that is not listening yet. */
  constructor(private readonly options: WebhookServerOptions) {
    this.server = createServer({ minVersion: 'TLSv1.2' }, (request, response) => {
      void this.handle(request, response);
    });
    this.server.headersTimeout = 10_000;
    this.server.requestTimeout = 30_000;
    this.server.on('tlsClientError', (error) => {
      options.logger.debug({ err: error.message }, 'webhook TLS handshake failed');
    });
  }

  /** Installs (or replaces) the serving certificate. */
  setCertificate(pem: ServingPem): void {
    this.server.setSecureContext({ cert: pem.certificatePem, key: pem.privateKeyPem, minVersion: 'TLSv1.2' });
    this.hasCertificate = true;
  }

  /** Listens on `host:port` (port 0 picks one); resolves with the bound port. */
  async listen(host: string, port: number): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    return (this.server.address() as AddressInfo).port;
  }

  /** Stops listening and closes idle and open connections. */
  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    try {
      if (path === '/healthz') return this.health(request, response);
      const handler = this.options.handlers[path];
      if (handler === undefined) return send(response, 404, 'not found');
      if (request.method !== 'POST') return send(response, 405, 'only POST');
      checkJson(request);
      const review = parseReview(parseJson(await readBody(request, this.maxBody())));
      send(response, 200, reviewResponse(await handler(review)));
    } catch (error) {
      this.fail(request, response, error);
    }
  }

  private health(request: IncomingMessage, response: ServerResponse): void {
    if (request.method !== 'GET') return send(response, 405, 'only GET');
    send(response, this.hasCertificate ? 200 : 503, this.hasCertificate ? 'ok' : 'no certificate yet');
  }

  private maxBody(): number {
    return this.options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  }

  private fail(request: IncomingMessage, response: ServerResponse, error: unknown): void {
    const status = error instanceof BodyError ? error.status : error instanceof ReviewError ? 400 : 500;
    const message = error instanceof Error ? error.message : String(error);
    const log = { path: request.url ?? '', status, err: message };
    this.options.onHttpError?.(status);
    if (status === 500) this.options.logger.error(log, 'webhook handler failed');
    else this.options.logger.info(log, 'webhook request refused');
    if (response.headersSent) return void response.destroy();
    // A refused body may still be arriving: answer, then close the connection instead of reading the rest.
    response.setHeader('connection', 'close');
    send(response, status, status === 500 ? 'internal error' : message);
    if (status === 413) response.on('finish', () => request.destroy());
  }
}
