// A stub Kubernetes API server for the dataplane's cluster tests: one valid and one invalid ApiSecurityPolicy in the
// list, an idle watch, and Secrets the test sets (or an HTTP status to fail with).
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';

/** The valid policy: API-key client shop/p/a (Secret keys/a) and Global limit shop/p/g. */
export const POLICY = {
  apiVersion: 'aspen.dev/v1alpha1',
  kind: 'ApiSecurityPolicy',
  metadata: { namespace: 'shop', name: 'p', generation: 1, resourceVersion: '5' },
  spec: {
    selector: {},
    apiKeys: {
      from: { header: 'x-api-key' },
      clients: [{ name: 'a', secretRef: { name: 'keys', key: 'a' } }],
    },
    rateLimits: [{ name: 'g', requests: 5, per: '1s', scope: 'Global', failureMode: 'Open' }],
  },
};
const INVALID = {
  ...POLICY,
  metadata: { ...POLICY.metadata, name: 'bad' },
  spec: { selector: {}, bogus: true },
};

/** A stub API server: the policy list, an idle watch, and Secrets from `secrets` (a status code for errors). */
export class StubApi {
  secrets = new Map<string, Record<string, string> | number>();
  reads = 0;
  private readonly server = createServer((req, res) => this.handle(req, res));
  private readonly watches = new Set<ServerResponse>();

  /** Listens; returns a kubeconfig pointing at it. */
  async start(): Promise<KubeConfig> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'c', server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
      users: [{ name: 'u' }],
      contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
      currentContext: 'x',
    });
    return kc;
  }

  /** Stops, ending open watches. */
  stop(): void {
    for (const w of this.watches) w.end();
    this.server.close();
    this.server.closeAllConnections();
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/apis/aspen.dev/v1alpha1/apisecuritypolicies') {
      if (url.searchParams.get('watch') === 'true') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.flushHeaders();
        this.watches.add(res);
        return;
      }
      this.json(res, 200, {
        kind: 'List',
        apiVersion: 'v1',
        metadata: { resourceVersion: '5' },
        items: [POLICY, INVALID],
      });
      return;
    }
    const secret = /^\/api\/v1\/namespaces\/([^/]+)\/secrets\/([^/]+)$/.exec(url.pathname);
    if (secret !== null) {
      this.reads += 1;
      const data = this.secrets.get(`${secret[1]}/${secret[2]}`);
      if (data === undefined) return this.json(res, 404, { kind: 'Status', code: 404 });
      if (typeof data === 'number') return this.json(res, data, { kind: 'Status', code: data });
      const encoded = Object.fromEntries(
        Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
      );
      return this.json(res, 200, {
        kind: 'Secret',
        apiVersion: 'v1',
        metadata: { name: secret[2], namespace: secret[1] },
        data: encoded,
      });
    }
    this.json(res, 404, { kind: 'Status', code: 404 });
  }

  private json(res: ServerResponse, code: number, body: unknown): void {
    res.writeHead(code, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }
}
