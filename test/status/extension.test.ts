/** The status extension's glue: a BuildReport's translation is recorded; leadership gained reconciles NetworkPolicies. */
import type { ControllerContext } from '../../src/controller/extension.js';
import type { ProxyIR } from '../../src/ir/index.js';
import type { BuildReport } from '../../src/serve/runner.js';
import { statusExtension } from '../../src/status/extension.js';
import { SnapshotCache } from '../../src/xds/cache/cache.js';
import { silentLogger } from '../../src/xds/server/types.js';
import { FakeTimers } from '../serve/fixtures.js';
import { startFakeApiServer } from '../support/fake-apiserver/index.js';
import { eventually, validStatus } from './fixtures.js';

function report(
  partial: Partial<BuildReport['status']>,
  translation?: BuildReport['translation'],
): BuildReport {
  return {
    status: { at: new Date(0), ok: true, outcome: 'ok', problems: [], proxies: 1, durationMs: 1, ...partial },
    changeDetectedAt: undefined,
    changed: [],
    removed: [],
    ...(translation === undefined ? {} : { translation }),
  };
}

describe('status extension', () => {
  it('records each rebuild and reconciles its NetworkPolicies once leading', async () => {
    const api = await startFakeApiServer();
    const time = new FakeTimers();
    let started: () => void = () => undefined;
    const context = {
      kubeConfig: api.kubeConfig,
      namespace: 'aspen-system',
      replicaId: 'aspen-0',
      clock: time,
      timers: time,
      logger: silentLogger,
      cache: new SnapshotCache(),
      isLeader: () => true,
      onLeadership: (s: () => void) => {
        started = s;
      },
    } as unknown as ControllerContext;
    const extension = statusExtension()(context);
    try {
      await extension.start?.();
      const proxy = { key: 'shop/orders', policies: ['shop/orders-api'], ports: [] } as unknown as ProxyIR;
      const policy = {
        apiVersion: 'aspen.dev/v1alpha1',
        kind: 'ApiSecurityPolicy',
        metadata: { name: 'orders-api', namespace: 'shop', uid: 'u1' },
        spec: { selector: {}, segmentation: { allowFrom: [{}] } },
      };
      const translation = {
        statuses: [validStatus('shop/orders-api', 1, 1)],
        proxies: [proxy],
        policies: [policy],
        failed: [],
      };
      extension.onBuilt?.(report({}, translation));
      started();
      await eventually(
        () => api.get('networking.k8s.io/v1', 'NetworkPolicy', 'shop', 'aspen-seg-orders-api') !== undefined,
      );
    } finally {
      await extension.stop?.();
      await api.close();
    }
  });
});
