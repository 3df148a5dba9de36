/**
 * The webhooks wired into the controller (src/controller/webhooks-extension.ts) against the fake API server through
 * the real client-node client, served over real HTTPS: the leader creates Secret aspen-webhook-tls and patches the
 * caBundle into both configurations; injection uses the controller's trust bundle, images, xDS address, the
 * namespace informer's labels (the API for a namespace it has not seen) and the API server's native-sidecar
 * support; validation refuses with field paths; a follower writes nothing and is not ready; stop closes the port.
 */
import { expect } from 'chai';
import { connect } from 'node:net';
import { Registry } from 'prom-client';
import { trustBundle } from '../../src/ca/state.js';
import type { CaState } from '../../src/ca/types.js';
import type { ControllerContext, ControllerExtension } from '../../src/controller/extension.js';
import { namespaceLabelsFrom, webhooksExtension } from '../../src/controller/webhooks-extension.js';
import type { KindName } from '../../src/provider/kubernetes/kinds.js';
import type { RawObject } from '../../src/provider/kubernetes/transport.js';
import { injectorConfiguration, validatorConfiguration } from '../../src/webhook/configurations.js';
import { applyPatch } from '../../src/webhook/inject/json-patch.js';
import type { Pod } from '../../src/webhook/inject/types.js';
import { SnapshotCache } from '../../src/xds/cache/cache.js';
import { realCa } from '../dataplane/fixtures.js';
import { eventually } from '../provider/kubernetes/fixtures.js';
import { FakeTimers, recordingLogger, type LogLine } from '../serve/fixtures.js';
import { startFakeApiServer, type FakeApiServer } from '../support/fake-apiserver/index.js';
import { postJson } from '../webhook/memory-client.js';

const NS = 'aspen-system';
const ADMISSION = 'admissionregistration.k8s.io/v1';
const IMAGES = {
  proxy: 'registry.example/envoy:1.36.2',
  redirect: 'registry.example/redirect:1',
  aspen: 'registry.example/aspen:1',
};

interface ReviewAnswer {
  response: {
    allowed: boolean;
    patch?: string;
    status?: { code: number; message: string };
  };
}

function review(
  kind: { group: string; version: string; kind: string },
  object: unknown,
  namespace: string,
): unknown {
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: { uid: 'uid-1', kind, namespace, operation: 'CREATE', object },
  };
}

const POD_KIND = { group: '', version: 'v1', kind: 'Pod' };
const POLICY_KIND = { group: 'aspen.dev', version: 'v1alpha1', kind: 'ApiSecurityPolicy' };

function namespace(name: string, labels: Record<string, string> = {}): RawObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } };
}

/** A controller context over the fake API server with leadership and the informer store in the test's hands. */
class Harness {
  leader = false;
  readonly logs: LogLine[] = [];
  readonly timers = new FakeTimers(Date.now());
  readonly store: Partial<Record<KindName, RawObject[]>> = {
    namespaces: [namespace('shop', { 'aspen.dev/inject': 'enabled' }), namespace('plain')],
  };
  private startedLeading: () => void = () => undefined;

  constructor(
    readonly api: FakeApiServer,
    readonly ca: CaState,
  ) {}

  context(): ControllerContext {
    return {
      kubeConfig: this.api.kubeConfig,
      namespace: NS,
      replicaId: 'replica-a',
      trustDomain: 'cluster.local',
      ca: this.ca,
      clock: this.timers,
      timers: this.timers,
      logger: recordingLogger(this.logs),
      registry: new Registry(),
      source: { synced: true, store: (kind: KindName) => this.store[kind] ?? [] },
      cache: new SnapshotCache(),
      isLeader: () => this.leader,
      onLeadership: (started: () => void) => {
        this.startedLeading = started;
      },
    } as unknown as ControllerContext;
  }

  lead(): void {
    this.leader = true;
    this.startedLeading();
  }
}

function webhookPort(logs: LogLine[]): number {
  const line = logs.find((l) => l.message === 'admission webhooks listening');
  return Number(line?.fields['port'] ?? 0);
}

function caBundleOf(api: FakeApiServer, kind: 'Mutating' | 'Validating', name: string): string {
  const config = api.get(ADMISSION, `${kind}WebhookConfiguration`, '', name) as
    { webhooks: { clientConfig: { caBundle?: string } }[] } | undefined;
  return Buffer.from(config?.webhooks[0]?.clientConfig.caBundle ?? '', 'base64').toString('utf8');
}

describe('webhooks extension (fake API server, real HTTPS)', function () {
  this.timeout(30_000);
  let api: FakeApiServer;
  let ca: CaState;
  let harness: Harness;
  let extension: ControllerExtension;

  before(async () => {
    ca = await realCa();
  });

  beforeEach(async () => {
    api = await startFakeApiServer();
    api.put({ ...namespace(NS) });
    api.put({ ...namespace('late', { 'aspen.dev/inject': 'enabled' }) });
    api.put(injectorConfiguration({ namespace: NS }));
    // Already Fail: the self-test has nothing to switch (the fake API server runs no admission).
    const validator = validatorConfiguration({ namespace: NS }) as { webhooks: Record<string, unknown>[] };
    api.put({ ...validator, webhooks: validator.webhooks.map((w) => ({ ...w, failurePolicy: 'Fail' })) });
    harness = new Harness(api, ca);
    extension = webhooksExtension({
      listen: '127.0.0.1:0',
      tls: { source: 'self' },
      images: IMAGES,
      xdsAddress: 'xds.example.test:15010',
      excludedNamespaces: ['legacy'],
    })(harness.context());
  });

  afterEach(async () => {
    await extension.stop?.();
    await api.close();
  });

  async function post(path: string, body: unknown): Promise<ReviewAnswer> {
    const bundle = caBundleOf(api, 'Mutating', 'aspen-injector');
    const answer = await postJson({ port: webhookPort(harness.logs), path, ca: bundle, body });
    expect(answer.status, answer.text).to.equal(200);
    return answer.json as ReviewAnswer;
  }

  function injected(pod: Pod, answer: ReviewAnswer): Pod {
    expect(answer.response.allowed).to.equal(true);
    if (answer.response.patch === undefined) return pod;
    return applyPatch(
      pod,
      JSON.parse(Buffer.from(answer.response.patch, 'base64').toString('utf8')) as never[],
    );
  }

  it('as leader: creates aspen-webhook-tls, patches both caBundles, becomes ready and injects over HTTPS', async () => {
    await extension.start?.();
    expect(extension.ready?.()).to.equal(false);
    harness.lead();
    await eventually(() => extension.ready?.() === true, 'a serving certificate');
    await eventually(() => caBundleOf(api, 'Validating', 'aspen-validator') !== '', 'the validator caBundle');
    const secret = api.get('v1', 'Secret', NS, 'aspen-webhook-tls');
    expect(secret, 'Secret aspen-webhook-tls').to.not.equal(undefined);
    expect(caBundleOf(api, 'Mutating', 'aspen-injector')).to.contain('BEGIN CERTIFICATE');

    const pod: Pod = {
      metadata: { name: 'orders-1', namespace: 'shop' },
      spec: { containers: [{ name: 'app', image: 'a:1' }] },
    };
    const patched = injected(pod, await post('/inject', review(POD_KIND, pod, 'shop')));
    const containers = new Map((patched.spec?.initContainers ?? []).map((c) => [c.name, c]));
    expect(containers.get('aspen-proxy')?.image).to.equal(IMAGES.proxy);
    expect(containers.get('aspen-proxy')?.restartPolicy, 'native sidecar (fake API server 1.35)').to.equal(
      'Always',
    );
    expect(containers.get('aspen-redirect')?.image).to.equal(IMAGES.redirect);
    const annotations = patched.metadata?.annotations ?? {};
    expect(annotations['aspen.dev/trust-bundle']).to.equal(trustBundle(ca, () => harness.timers.now()));
    expect(annotations['aspen.dev/bootstrap'], 'the xDS address').to.contain('xds.example.test');
  });

  it('reads namespace labels from the informer store, and from the API for a namespace it has not seen', async () => {
    await extension.start?.();
    harness.lead();
    await eventually(() => extension.ready?.() === true, 'a serving certificate');
    const pod = (ns: string): Pod => ({
      metadata: { name: 'p', namespace: ns },
      spec: { containers: [{ name: 'app', image: 'a:1' }] },
    });
    const plain = injected(pod('plain'), await post('/inject', review(POD_KIND, pod('plain'), 'plain')));
    expect(plain.metadata?.annotations?.['aspen.dev/injected']).to.equal(undefined);
    const late = injected(pod('late'), await post('/inject', review(POD_KIND, pod('late'), 'late')));
    expect(late.metadata?.annotations?.['aspen.dev/injected']).to.equal('envoy');
    const legacy = injected(pod('legacy'), await post('/inject', review(POD_KIND, pod('legacy'), 'legacy')));
    expect(legacy.metadata?.annotations?.['aspen.dev/injected'], 'excluded namespace').to.equal(undefined);
  });

  it('refuses an invalid policy with the field path', async () => {
    await extension.start?.();
    harness.lead();
    await eventually(() => extension.ready?.() === true, 'a serving certificate');
    const bad = {
      apiVersion: 'aspen.dev/v1alpha1',
      kind: 'ApiSecurityPolicy',
      metadata: { name: 'bad', namespace: 'shop' },
      spec: {
        selector: { matchLabels: { app: 'orders' } },
        authorization: { rules: [{ name: 'read', action: 'Allow', from: { principals: ['frontend'] } }] },
      },
    };
    const answer = await post('/validate', review(POLICY_KIND, bad, 'shop'));
    expect(answer.response.allowed).to.equal(false);
    expect(answer.response.status?.message).to.match(/spec\.authorization\.rules\[0\]/);
  });

  it('as follower: writes nothing, is not ready; stop closes the port', async () => {
    await extension.start?.();
    const port = webhookPort(harness.logs);
    expect(port).to.be.greaterThan(0);
    expect(extension.ready?.()).to.equal(false);
    expect(api.get('v1', 'Secret', NS, 'aspen-webhook-tls')).to.equal(undefined);
    expect(caBundleOf(api, 'Mutating', 'aspen-injector')).to.equal('');
    await extension.stop?.();
    const refused = await new Promise<boolean>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port });
      socket.on('connect', () => {
        socket.destroy();
        resolve(false);
      });
      socket.on('error', () => resolve(true));
    });
    expect(refused, 'port closed after stop').to.equal(true);
  });

  it('takes labels from the store as they are; undefined only for unknown namespaces', () => {
    const store = [namespace('a', { x: '1' }), { metadata: { name: 'b' } }];
    expect(namespaceLabelsFrom(store, 'a')).to.deep.equal({ x: '1' });
    expect(namespaceLabelsFrom(store, 'b')).to.deep.equal({});
    expect(namespaceLabelsFrom(store, 'c')).to.equal(undefined);
  });
});
