/**
 * The client-node implementation of the webhooks' API client against an in-process fake API server: the URLs,
 * methods, content types and bodies it sends, and how it reads 404, 409 and a dry-run refusal.
 */
import { expect } from 'chai';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { ConflictError, type WebhookKubeClient } from '../../src/webhook/kube/client.js';
import { kubeWebhookClient } from '../../src/webhook/kube/client-node.js';

interface Received {
  method: string;
  url: string;
  contentType: string;
  body: unknown;
}

type Route = (req: Received) => { code: number; body: unknown };

class FakeApi {
  readonly received: Received[] = [];
  route: Route = () => ({ code: 404, body: { kind: 'Status', code: 404, message: 'not found' } });
  private readonly server: Server = createServer((req, res) => this.handle(req, res));

  async start(): Promise<WebhookKubeClient> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const port = (this.server.address() as AddressInfo).port;
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromOptions({
      clusters: [{ name: 'fake', server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
      users: [{ name: 'aspen', token: 't' }],
      contexts: [{ name: 'fake', cluster: 'fake', user: 'aspen' }],
      currentContext: 'fake',
    });
    return kubeWebhookClient(kubeConfig);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const received = {
        method: req.method ?? '',
        url: req.url ?? '',
        contentType: req.headers['content-type'] ?? '',
        body: text === '' ? undefined : (JSON.parse(text) as unknown),
      };
      this.received.push(received);
      const answer = this.route(received);
      res.writeHead(answer.code, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer.body));
    });
  }
}

describe('webhook API client over @kubernetes/client-node', function () {
  this.timeout(20_000);
  const api = new FakeApi();
  let client: WebhookKubeClient;

  before(async () => {
    client = await api.start();
  });

  after(async () => {
    await api.stop();
  });

  it('reads a Secret as text and an absent one as undefined', async () => {
    api.route = (r) =>
      r.url.endsWith('/secrets/aspen-webhook-tls')
        ? {
            code: 200,
            body: {
              kind: 'Secret',
              apiVersion: 'v1',
              metadata: { name: 'aspen-webhook-tls', resourceVersion: '42' },
              data: { 'ca.crt': Buffer.from('PEM').toString('base64') },
            },
          }
        : { code: 404, body: { kind: 'Status', code: 404 } };
    expect(await client.readSecret('aspen-system', 'aspen-webhook-tls')).to.deep.equal({
      data: { 'ca.crt': 'PEM' },
      resourceVersion: '42',
    });
    expect(await client.readSecret('aspen-system', 'other')).to.equal(undefined);
    expect(api.received.at(-1)?.url).to.equal('/api/v1/namespaces/aspen-system/secrets/other');
  });

  it('creates and updates a Secret (base64 data, resourceVersion), and maps 409 to ConflictError', async () => {
    api.route = (r) => ({
      code: r.method === 'PUT' ? 409 : 201,
      body: { kind: 'Status', code: 409, message: 'conflict' },
    });
    await client.createSecret('aspen-system', 'aspen-webhook-tls', { 'tls.crt': 'X' });
    const created = api.received.at(-1);
    expect(created?.method).to.equal('POST');
    expect(created?.body).to.deep.include({ data: { 'tls.crt': Buffer.from('X').toString('base64') } });
    let error: unknown;
    try {
      await client.updateSecret('aspen-system', 'aspen-webhook-tls', {
        data: { 'tls.crt': 'Y' },
        resourceVersion: '3',
      });
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(ConflictError);
    const update = api.received.at(-1) as { body: { metadata: { resourceVersion: string } } };
    expect(update.body.metadata.resourceVersion).to.equal('3');
    expect(JSON.stringify(error instanceof Error ? error.message : '')).to.not.contain('WQ=='); // no data in errors
  });

  it('reads webhook entries and sends a JSON patch', async () => {
    api.route = (r) =>
      r.method === 'GET'
        ? {
            code: 200,
            body: {
              kind: 'ValidatingWebhookConfiguration',
              apiVersion: 'admissionregistration.k8s.io/v1',
              metadata: { name: 'aspen-validator' },
              webhooks: [
                {
                  name: 'validate.aspen.dev',
                  clientConfig: { caBundle: 'QQ==' },
                  failurePolicy: 'Ignore',
                  sideEffects: 'None',
                  admissionReviewVersions: ['v1'],
                },
              ],
            },
          }
        : {
            code: 200,
            body: { kind: 'ValidatingWebhookConfiguration', metadata: { name: 'aspen-validator' } },
          };
    expect(await client.readWebhooks('validating', 'aspen-validator')).to.deep.equal([
      { name: 'validate.aspen.dev', caBundle: 'QQ==', failurePolicy: 'Ignore' },
    ]);
    const patch = [{ op: 'add' as const, path: '/webhooks/0/failurePolicy', value: 'Fail' }];
    await client.patchWebhooks('validating', 'aspen-validator', patch);
    const sent = api.received.at(-1);
    expect(sent?.method).to.equal('PATCH');
    expect(sent?.url).to.equal(
      '/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/aspen-validator',
    );
    expect(sent?.contentType).to.equal('application/json-patch+json');
    expect(sent?.body).to.deep.equal(patch);
  });

  it('dry-run creates with dryRun=All and reads a webhook denial as its message', async () => {
    const message =
      'admission webhook "validate.aspen.dev" denied the request: aspen webhook self-test n: refused';
    api.route = () => ({ code: 403, body: { kind: 'Status', apiVersion: 'v1', code: 403, message } });
    const outcome = await client.dryRunCreate({
      apiVersion: 'aspen.dev/v1alpha1',
      kind: 'ApiSecurityPolicy',
      metadata: { name: 'x', namespace: 'aspen-system' },
    });
    expect(outcome).to.deep.equal({ allowed: false, message });
    expect(api.received.at(-1)?.url).to.equal(
      '/apis/aspen.dev/v1alpha1/namespaces/aspen-system/apisecuritypolicies?dryRun=All',
    );
  });

  it('reads namespace labels', async () => {
    api.route = () => ({
      code: 200,
      body: { kind: 'Namespace', metadata: { name: 'shop', labels: { a: 'b' } } },
    });
    expect(await client.namespaceLabels('shop')).to.deep.equal({ a: 'b' });
  });
});
