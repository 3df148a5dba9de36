/**
 * The harness can route aspen's webhook Service to a port on this machine: a stand-in webhook server with a
 * certificate for `aspen.<ns>.svc` is called by the API server through the Service, as the chart registers aspen's.
 */
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import https from 'node:https';
import path from 'node:path';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import { freePort } from './harness/cluster.js';
import { hostAddress, routeService } from './harness/route.js';
import { cluster } from './harness/shared.js';

const execFileAsync = promisify(execFile);
const NS = 'e2e-route';

/** A self-signed serving certificate for aspen.<NS>.svc, written into the cluster's scratch directory. */
async function servingCert(dir: string): Promise<{ cert: string; key: string }> {
  const [cert, key] = [path.join(dir, 'route.crt'), path.join(dir, 'route.key')];
  await execFileAsync('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-days',
    '1',
    '-subj',
    `/CN=aspen.${NS}.svc`,
    '-addext',
    `subjectAltName=DNS:aspen.${NS}.svc`,
    '-keyout',
    key,
    '-out',
    cert,
  ]);
  return { cert: await readFile(cert, 'utf8'), key: await readFile(key, 'utf8') };
}

describe('e2e: webhook Services routed to this machine', function () {
  this.timeout(60_000);
  const address = hostAddress();
  let server: https.Server | undefined;

  before(function () {
    if (address === undefined || cluster().external) this.skip();
  });

  after(async () => {
    server?.close();
    await cluster().kubectl(['delete', 'validatingwebhookconfiguration/e2e-route-check']);
    await cluster().kubectl(['delete', 'namespace', NS, '--wait=false']);
  });

  it('lets the API server call a webhook through Service aspen with TLS name aspen.<ns>.svc', async () => {
    const c = cluster();
    const tls = await servingCert(c.dir);
    const port = await freePort();
    server = https.createServer({ cert: tls.cert, key: tls.key }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (d: Buffer) => chunks.push(d));
      req.on('end', () => {
        const review = JSON.parse(Buffer.concat(chunks).toString()) as { request: { uid: string } };
        const response = {
          uid: review.request.uid,
          allowed: false,
          status: { message: 'routed to the stand-in' },
        };
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response }));
      });
    });
    await new Promise<void>((resolve) => server?.listen(port, address, resolve));
    await c.kubectlOk(['create', 'namespace', NS]);
    await routeService(c, { namespace: NS, name: 'aspen', address: address ?? '', port });
    const webhook = {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingWebhookConfiguration',
      metadata: { name: 'e2e-route-check' },
      webhooks: [
        {
          name: 'route.e2e.aspen.dev',
          admissionReviewVersions: ['v1'],
          sideEffects: 'None',
          failurePolicy: 'Fail',
          timeoutSeconds: 5,
          clientConfig: {
            service: { name: 'aspen', namespace: NS, path: '/validate', port: 443 },
            caBundle: Buffer.from(tls.cert).toString('base64'),
          },
          rules: [
            { apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['configmaps'] },
          ],
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': NS } },
        },
      ],
    };
    await writeFile(path.join(c.dir, 'route-webhook.yaml'), stringify(webhook));
    await c.kubectlOk(['apply', '--server-side', '-f', path.join(c.dir, 'route-webhook.yaml')]);
    const r = await c.kubectl(['create', 'configmap', 'probe', '-n', NS, '--from-literal=a=b']);
    expect(r.code).to.not.equal(0);
    expect(r.stderr).to.include('routed to the stand-in');
  });
});
