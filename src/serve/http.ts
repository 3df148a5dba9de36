/**
 * The plain HTTP endpoints of `aspen serve` (node:http, loopback by default): `/healthz` (200 while the process
 * runs), `/readyz` (200 once the first complete build was published, 503 before; the body is the last build's
 * status) and `/metrics` (Prometheus text from the registry passed in).
 */
import { createServer } from 'node:http';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';
import type { Logger } from '../xds/server/types.js';
import type { ListenAddress } from './address.js';
import type { BuildStatus } from './runner.js';

/** A listening HTTP server. */
export interface HttpEndpoint {
  /** The bound port. */
  readonly port: number;
  /** Stops listening and closes open connections. */
  close(): Promise<void>;
}

/** What the health endpoints read. */
export interface HealthSource {
  /** Whether a complete build is served. */
  readonly ready: boolean;
  /** The last build, if any. */
  readonly lastBuild: BuildStatus | undefined;
}

function send(res: ServerResponse, code: number, body: string, type = 'text/plain; charset=utf-8'): void {
  res.writeHead(code, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(body);
}

function pathOf(req: IncomingMessage): string {
  return (req.url ?? '/').split('?')[0] ?? '/';
}

/** `/healthz` and `/readyz`. */
export function healthHandler(source: HealthSource): RequestListener {
  return (req, res) => {
    const path = pathOf(req);
    if (path === '/healthz') {
      send(res, 200, 'ok\n');
    } else if (path === '/readyz') {
      const body = `${JSON.stringify({ ready: source.ready, lastBuild: source.lastBuild ?? null })}\n`;
      send(res, source.ready ? 200 : 503, body, 'application/json');
    } else {
      send(res, 404, 'not found\n');
    }
  };
}

/** `/metrics` from `registry`. */
export function metricsHandler(registry: Registry, logger: Logger): RequestListener {
  return (req, res) => {
    if (pathOf(req) !== '/metrics') {
      send(res, 404, 'not found\n');
      return;
    }
    registry.metrics().then(
      (text) => send(res, 200, text, registry.contentType),
      (error: unknown) => {
        logger.error({ err: error }, 'collecting metrics failed');
        send(res, 500, 'metrics unavailable\n');
      },
    );
  };
}

/** Starts an HTTP server on `address`; resolves once it listens. */
export function listenHttp(address: ListenAddress, handler: RequestListener): Promise<HttpEndpoint> {
  const server = createServer(handler);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(address.port, address.host, () => {
      server.off('error', reject);
      const bound = server.address();
      const port = typeof bound === 'object' && bound !== null ? bound.port : address.port;
      resolve({
        port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
