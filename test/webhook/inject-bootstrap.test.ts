/**
 * The bootstrap the injector writes passes Envoy's own proto validation (tools/cmd/envoy-validate), for plain,
 * probe-rewriting and HTTPS-probe pods; and the pod's files line up with the paths the bootstrap reads.
 */
import { expect } from 'chai';
import { BOOTSTRAP_TYPE_URL } from '../../src/xds/sds/bootstrap.js';
import { BOOTSTRAP } from '../../src/webhook/inject/annotations.js';
import { injectPod } from '../../src/webhook/inject/inject.js';
import type { Pod } from '../../src/webhook/inject/types.js';
import { buildEnvoyValidate, validateWithEnvoy } from '../tools/envoy-validate.js';
import { testSettings } from './fixtures.js';

function pod(probe: NonNullable<Pod['spec']>['containers'][number]['livenessProbe']): Pod {
  return {
    metadata: { name: 'p', namespace: 'shop' },
    spec: {
      containers: [{ name: 'app', image: 'app:1', ...(probe === undefined ? {} : { livenessProbe: probe }) }],
    },
  };
}

function bootstrapOf(input: Pod): Record<string, unknown> {
  const settings = testSettings();
  const result = injectPod(
    { pod: input, namespace: 'shop', namespaceLabels: { 'aspen.dev/inject': 'enabled' } },
    settings,
  );
  if (!result.allowed) throw new Error(result.message);
  return JSON.parse(result.pod.metadata?.annotations?.[BOOTSTRAP] ?? '{}') as Record<string, unknown>;
}

describe('injected bootstrap', function () {
  this.timeout(300_000);
  before(async () => {
    await buildEnvoyValidate();
  });

  it('passes Envoy validation', async () => {
    const docs = [
      bootstrapOf(pod(undefined)),
      bootstrapOf(pod({ httpGet: { path: '/healthz', port: 8080 } })),
      bootstrapOf(pod({ httpGet: { path: '/healthz', port: 8443, scheme: 'HTTPS' } })),
    ];
    const results = await validateWithEnvoy(docs.map((doc) => ({ '@type': BOOTSTRAP_TYPE_URL, ...doc })));
    for (const result of results) expect(result.ok, JSON.stringify(result.errors)).to.equal(true);
  });
});
