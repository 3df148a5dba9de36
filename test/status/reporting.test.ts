/**
 * Status reporting end to end on one replica against the fake API server: a publish, the proxy's ACK seen by the
 * xDS hooks, the replica's report, the leader's aggregation, and the policy's status and NetworkPolicy in the API.
 */
import { expect } from 'chai';
import type { ApiSecurityPolicy } from '../../src/api/v1alpha1/types.js';
import type { ProxyIR } from '../../src/ir/index.js';
import { StatusReporting } from '../../src/status/reporting.js';
import { SnapshotCache } from '../../src/xds/cache/cache.js';
import { silentLogger } from '../../src/xds/server/types.js';
import { FakeTimers } from '../serve/fixtures.js';
import { startFakeApiServer } from '../support/fake-apiserver/index.js';
import type { FakeApiServer } from '../support/fake-apiserver/index.js';
import { LDS, eventually, stream, validStatus } from './fixtures.js';

describe('status reporting (one replica, fake API server)', () => {
  let api: FakeApiServer;

  beforeEach(async () => {
    api = await startFakeApiServer();
  });

  afterEach(async () => {
    await api.close();
  });

  it('turns a publish and the proxy ACK into Programmed=True, and creates the NetworkPolicy', async () => {
    const stored = api.put({
      apiVersion: 'aspen.dev/v1alpha1',
      kind: 'ApiSecurityPolicy',
      metadata: { name: 'orders-api', namespace: 'shop' },
      spec: { selector: {} },
    });
    const policy: ApiSecurityPolicy = {
      apiVersion: 'aspen.dev/v1alpha1',
      kind: 'ApiSecurityPolicy',
      metadata: { name: 'orders-api', namespace: 'shop', uid: (stored.metadata as { uid: string }).uid },
      spec: { selector: {}, segmentation: { allowFrom: [{}] } },
    };
    const time = new FakeTimers();
    const reporting = new StatusReporting({
      kubeConfig: api.kubeConfig,
      namespace: 'aspen-system',
      replicaId: 'aspen-0',
      isLeader: () => true,
      clock: time,
      timers: time,
      logger: silentLogger,
    });
    await reporting.start();
    const cache = new SnapshotCache();
    const { snapshot } = cache.setSnapshot('shop/orders', {
      [LDS]: [
        {
          name: 'inbound',
          encoded: { $type: 'google.protobuf.Any', typeUrl: LDS, value: new Uint8Array([1, 2, 3]) },
        },
      ],
    });
    const version = snapshot.types.get(LDS)?.version ?? '';
    const proxy = { key: 'shop/orders', policies: ['shop/orders-api'], ports: [] } as unknown as ProxyIR;
    reporting.published({
      proxies: [proxy],
      statuses: [validStatus('shop/orders-api', 1, 1)],
      policies: [policy],
      failed: [],
      removed: [],
      cache,
    });
    const s = stream('shop/orders', 'shop/orders-abc');
    const hooks = reporting.xdsEvents();
    hooks.onConnected?.(s);
    hooks.onSent?.(s, {
      typeUrl: LDS,
      version,
      nonce: '1',
      resourceCount: 1,
      bytes: 3,
      knownRejected: false,
    });
    hooks.onAcked?.(s, LDS, version);

    const programmed = (): string | undefined => {
      const obj = api.get('aspen.dev/v1alpha1', 'ApiSecurityPolicy', 'shop', 'orders-api') as {
        status?: { conditions?: { type: string; status: string }[] };
      };
      return obj.status?.conditions?.find((c) => c.type === 'Programmed')?.status;
    };
    try {
      // The report is written (coalesced), the collector sees it, the status recompute fires, the writer writes.
      for (let i = 0; i < 20 && programmed() !== 'True'; i += 1) {
        time.advance(1_000);
        await reporting.settled();
        await new Promise((resolve) => setImmediate(resolve));
      }
      await eventually(() => programmed() === 'True');
      const status = (
        api.get('aspen.dev/v1alpha1', 'ApiSecurityPolicy', 'shop', 'orders-api') as { status: unknown }
      ).status;
      expect(status).to.deep.include({
        observedGeneration: 1,
        workloads: 1,
        proxies: { connected: 1, acked: 1, rejected: 0 },
      });
      expect(api.get('networking.k8s.io/v1', 'NetworkPolicy', 'shop', 'aspen-seg-orders-api')).to.not.equal(
        undefined,
      );
    } finally {
      await reporting.stop();
    }
    expect(
      api.get('v1', 'ConfigMap', 'aspen-system', 'aspen-sync-aspen-0'),
      'report deleted on stop',
    ).to.equal(undefined);
  });

  it('leaves existing NetworkPolicies alone when it gains leadership before its first translation', async () => {
    api.put({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: {
        name: 'aspen-seg-orders-api',
        namespace: 'shop',
        labels: { 'aspen.dev/managed-by': 'aspen' },
        annotations: { 'aspen.dev/policy': 'shop/orders-api' },
      },
      spec: { podSelector: {}, policyTypes: ['Ingress'], ingress: [] },
    });
    const time = new FakeTimers();
    const reporting = new StatusReporting({
      kubeConfig: api.kubeConfig,
      namespace: 'aspen-system',
      replicaId: 'aspen-0',
      isLeader: () => true,
      clock: time,
      timers: time,
      logger: silentLogger,
    });
    await reporting.start();
    try {
      reporting.startedLeading();
      time.advance(1_000);
      await reporting.settled();
      expect(api.get('networking.k8s.io/v1', 'NetworkPolicy', 'shop', 'aspen-seg-orders-api')).to.not.equal(
        undefined,
      );
      expect(api.requests.filter((r) => r.path.includes('networkpolicies'))).to.deep.equal([]);
    } finally {
      await reporting.stop();
    }
  });
});
