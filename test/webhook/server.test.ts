/**
 * The webhooks over real HTTPS, as the API server calls them: AdmissionReview in, AdmissionReview out, for injection
 * and validation; hostile bodies get a 4xx and the server keeps serving; the failure-policy self-test switches
 * validation to Fail only after seeing aspen's own denial come back.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { Registry } from 'prom-client';
import { parse } from 'yaml';
import { validatePolicy } from '../../src/translate/validate/index.js';
import { formatPath } from '../../src/translate/problem.js';
import { startWebhooks, type Webhooks } from '../../src/webhook/index.js';
import { applyPatch } from '../../src/webhook/inject/json-patch.js';
import type { Pod } from '../../src/webhook/inject/types.js';
import { FakeTimers, recordingLogger, type LogLine } from '../serve/fixtures.js';
import { TEST_TRUST_BUNDLE } from './fixtures.js';
import { MemoryClient, postJson, send, type HttpAnswer } from './memory-client.js';

interface ReviewAnswer {
  apiVersion: string;
  kind: string;
  response: {
    uid: string;
    allowed: boolean;
    patch?: string;
    patchType?: string;
    warnings?: string[];
    status?: { code: number; message: string; details?: { causes: { field: string; message: string }[] } };
  };
}

function review(
  kind: { group: string; version: string; kind: string },
  object: unknown,
  namespace = 'shop',
): unknown {
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: { uid: 'uid-1', kind, namespace, operation: 'CREATE', object },
  };
}

const POD_KIND = { group: '', version: 'v1', kind: 'Pod' };
const POLICY_KIND = { group: 'aspen.dev', version: 'v1alpha1', kind: 'ApiSecurityPolicy' };

function examplePolicy(): Record<string, unknown> {
  return parse(readFileSync('examples/policies/frontend.yaml', 'utf8')) as Record<string, unknown>;
}

describe('webhook server over HTTPS', function () {
  this.timeout(30_000);
  let client: MemoryClient;
  let webhooks: Webhooks;
  let ca: string;
  let leader = true;
  const lines: LogLine[] = [];
  const registry = new Registry();

  before(async () => {
    client = new MemoryClient();
    client.labels.set('shop', { 'aspen.dev/inject': 'enabled' });
    client.labels.set('secure', {
      'aspen.dev/inject': 'enabled',
      'pod-security.kubernetes.io/enforce': 'baseline',
    });
    const timers = new FakeTimers(Date.now());
    webhooks = await startWebhooks(
      {
        listen: '127.0.0.1:0',
        namespace: 'aspen-system',
        trustDomain: 'cluster.local',
        tls: { source: 'self' },
        maxBodyBytes: 64 * 1024,
      },
      {
        client,
        isLeader: () => leader,
        trustBundle: () => TEST_TRUST_BUNDLE,
        clock: timers,
        timers,
        logger: recordingLogger(lines),
        metrics: registry,
      },
    );
    client.webhookPort = webhooks.port;
    ca = client.caBundle('validating');
  });

  after(async () => {
    await webhooks.close();
  });

  async function call(path: string, body: unknown): Promise<ReviewAnswer> {
    const answer = await postJson({ port: webhooks.port, path, ca, body });
    expect(answer.status, answer.text).to.equal(200);
    return answer.json as ReviewAnswer;
  }

  it('serves with a certificate the patched caBundle verifies, for the Service DNS name', async () => {
    expect(webhooks.ready()).to.equal(true);
    expect(ca).to.contain('BEGIN CERTIFICATE');
    expect(client.caBundle('mutating')).to.equal(ca);
    const health = await send({ port: webhooks.port, path: '/healthz', ca, payload: '', method: 'GET' });
    expect(health.status).to.equal(200);
  });

  it('injects a pod: the patch adds the proxy, and the answer echoes the uid', async () => {
    const pod: Pod = {
      metadata: { name: 'orders-1', namespace: 'shop' },
      spec: { containers: [{ name: 'app', image: 'a:1' }] },
    };
    const answer = await call('/inject', review(POD_KIND, pod));
    expect(answer).to.include({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview' });
    expect(answer.response).to.include({ uid: 'uid-1', allowed: true, patchType: 'JSONPatch' });
    const patch = JSON.parse(Buffer.from(answer.response.patch ?? '', 'base64').toString('utf8')) as never[];
    const patched = applyPatch(pod, patch);
    expect(patched.spec?.initContainers?.map((c) => c.name)).to.deep.equal(['aspen-redirect', 'aspen-proxy']);
    expect(patched.metadata?.annotations?.['aspen.dev/injected']).to.equal('envoy');
  });

  it('warns about Pod Security in a namespace enforcing baseline', async () => {
    const pod: Pod = { metadata: { name: 'p' }, spec: { containers: [{ name: 'app', image: 'a:1' }] } };
    const answer = await call('/inject', review(POD_KIND, pod, 'secure'));
    expect(answer.response.allowed).to.equal(true);
    expect(answer.response.warnings?.[0]).to.match(/Pod Security "baseline".*NET_ADMIN and NET_RAW/);
  });

  it('leaves pods of unlabelled namespaces alone, and refuses a pod when its namespace cannot be read', async () => {
    const pod: Pod = { metadata: { name: 'p' }, spec: { containers: [{ name: 'app', image: 'a:1' }] } };
    const plain = await call('/inject', review(POD_KIND, pod, 'unlabelled'));
    expect(plain.response).to.deep.equal({ uid: 'uid-1', allowed: true });
    const original = client.namespaceLabels.bind(client);
    client.namespaceLabels = () => Promise.reject(new Error('apiserver down'));
    try {
      const refused = await call('/inject', review(POD_KIND, pod, 'shop'));
      expect(refused.response.allowed).to.equal(false);
      expect(refused.response.status?.message).to.contain('cannot read namespace shop');
    } finally {
      client.namespaceLabels = original;
    }
  });

  it('admits a valid policy, with audit findings as warnings', async () => {
    const answer = await call('/validate', review(POLICY_KIND, examplePolicy()));
    expect(answer.response.allowed).to.equal(true);
    expect(answer.response.warnings).to.include(
      'aspen audit ASP013 (medium): spec.mode: mode is Audit: requests the policy would deny are logged but never blocked',
    );
  });

  it('refuses an invalid policy with the field paths and messages of aspen validate', async () => {
    const policy = examplePolicy();
    (policy.spec as Record<string, unknown>).mode = 'Sometimes';
    (policy.spec as Record<string, unknown>).rateLimits = [
      { name: 'x', key: { remoteAddress: {} }, requests: 0, per: 'soon' },
    ];
    const expected = validatePolicy(policy, { namespace: 'shop' }).problems;
    expect(expected.length).to.be.greaterThan(1);
    const answer = await call('/validate', review(POLICY_KIND, policy));
    expect(answer.response.allowed).to.equal(false);
    expect(answer.response.status?.code).to.equal(422);
    expect(answer.response.status?.details?.causes).to.deep.equal(
      expected.map((p) => ({ field: formatPath(p.path), message: p.message, reason: 'FieldValueInvalid' })),
    );
    for (const p of expected)
      expect(answer.response.status?.message).to.contain(`${formatPath(p.path)}: ${p.message}`);
  });

  describe('hostile requests get a 4xx and the server stays up', () => {
    const cases: [string, () => Promise<HttpAnswer>, number][] = [
      [
        'a body over the limit',
        () => send({ port: webhooks.port, path: '/validate', ca, payload: Buffer.alloc(200 * 1024, 0x20) }),
        413,
      ],
      [
        'malformed JSON',
        () => send({ port: webhooks.port, path: '/validate', ca, payload: '{"apiVersion": ' }),
        400,
      ],
      [
        'a wrong content type',
        () => send({ port: webhooks.port, path: '/inject', ca, payload: '{}', contentType: 'text/yaml' }),
        415,
      ],
      [
        'JSON that is not an AdmissionReview',
        () => postJson({ port: webhooks.port, path: '/inject', ca, body: [1, 2] }),
        400,
      ],
      [
        'an AdmissionReview without a uid',
        () =>
          postJson({
            port: webhooks.port,
            path: '/inject',
            ca,
            body: { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: { kind: POD_KIND } },
          }),
        400,
      ],
      [
        'an AdmissionReview v1beta1',
        () =>
          postJson({
            port: webhooks.port,
            path: '/validate',
            ca,
            body: { apiVersion: 'admission.k8s.io/v1beta1', kind: 'AdmissionReview', request: { uid: 'u' } },
          }),
        400,
      ],
      [
        'GET on a review path',
        () => send({ port: webhooks.port, path: '/inject', ca, payload: '', method: 'GET' }),
        405,
      ],
      ['an unknown path', () => postJson({ port: webhooks.port, path: '/mutate', ca, body: {} }), 404],
    ];
    for (const [name, run, status] of cases) {
      it(name, async () => {
        const answer = await run();
        expect(answer.status, answer.text).to.equal(status);
        const health = await send({ port: webhooks.port, path: '/healthz', ca, payload: '', method: 'GET' });
        expect(health.status).to.equal(200);
      });
    }

    it('a wrong kind is refused inside the review', async () => {
      const secret = await call(
        '/inject',
        review({ group: '', version: 'v1', kind: 'Secret' }, { metadata: { name: 's' } }),
      );
      expect(secret.response.allowed).to.equal(false);
      expect(secret.response.status?.message).to.contain('expected a v1 Pod, got core/v1 Secret');
      const pod = await call('/validate', review(POD_KIND, { metadata: { name: 'p' } }));
      expect(pod.response.allowed).to.equal(false);
      expect(pod.response.status?.message).to.contain('expected an aspen.dev object');
    });
  });

  it('self-test: validation stays Ignore on a follower, and switches to Fail once the leader sees its own denial', async () => {
    leader = false;
    expect(await webhooks.selfTest()).to.equal(undefined);
    expect(client.validationFailurePolicy()).to.equal('Ignore');
    leader = true;
    expect(await webhooks.selfTest()).to.equal('switched');
    expect(client.validationFailurePolicy()).to.equal('Fail');
    expect(await webhooks.selfTest()).to.equal('already-fail');
  });

  it('self-test object: valid for the schema (so only the webhook refuses it)', async () => {
    const { selfTestObject } = await import('../../src/webhook/self-test.js');
    expect(validatePolicy(selfTestObject('aspen-system', 'n')).problems).to.deep.equal([]);
  });

  it('self-test: a webhook the API server cannot reach leaves validation at Ignore', async () => {
    const other = new MemoryClient();
    other.webhookPort = webhooks.port;
    // The configuration carries a caBundle that does not verify the server: the call fails, Ignore admits.
    await other.patchWebhooks('validating', 'aspen-validator', [
      {
        op: 'add',
        path: '/webhooks/0/clientConfig/caBundle',
        value: Buffer.from(TEST_TRUST_BUNDLE).toString('base64'),
      },
    ]);
    const { runSelfTest } = await import('../../src/webhook/self-test.js');
    const outcome = await runSelfTest({
      client: other,
      namespace: 'aspen-system',
      nonce: 'n1',
      logger: recordingLogger([]),
    });
    expect(outcome).to.equal('not-refused');
    expect(other.validationFailurePolicy()).to.equal('Ignore');
  });

  it('never logs a private key', () => {
    const text = JSON.stringify(lines);
    expect(text).to.not.contain('PRIVATE KEY');
    expect(text).to.contain('caBundle patched');
  });

  describe('metrics (after every request above)', () => {
    it('counts reviews by outcome and refused requests by status', async () => {
      const text = await registry.metrics();
      expect(text).to.match(/aspen_webhook_reviews_total\{path="\/inject",outcome="patched"\} [1-9]/);
      expect(text).to.match(/aspen_webhook_reviews_total\{path="\/validate",outcome="denied"\} [1-9]/);
      expect(text).to.match(/aspen_webhook_refused_requests_total\{status="413"\} 1/);
      expect(text).to.match(/aspen_webhook_certificate_expiry_timestamp_seconds \d{10}/);
    });
  });
});
