/**
 * Two replicas against one fake API server: the proxy on the non-leader replica rejects the configuration; the
 * leader aggregates both replicas' reports into Programmed=False/Rejected (naming the proxy, quoting its NACK) and
 * `status.proxies`; when leadership moves, the new leader takes over the status; a replica that stops gracefully
 * deletes its report.
 */
import { expect } from 'chai';
import type { ProxyIR } from '../../src/ir/index.js';
import { StatusReporting } from '../../src/status/reporting.js';
import { SnapshotCache } from '../../src/xds/cache/cache.js';
import { silentLogger } from '../../src/xds/server/types.js';
import type { StreamInfo } from '../../src/xds/server/types.js';
import { FakeTimers } from '../serve/fixtures.js';
import { startFakeApiServer } from '../support/fake-apiserver/index.js';
import type { FakeApiServer } from '../support/fake-apiserver/index.js';
import { LDS, eventually, stream, validStatus } from './fixtures.js';

const NACK = 'Error adding/updating listener(s) inbound|8080: Proto constraint validation failed';

interface Replica {
  reporting: StatusReporting;
  cache: SnapshotCache;
  version: string;
}

describe('status reporting across two replicas (fake API server)', () => {
  let api: FakeApiServer;
  let time: FakeTimers;
  let leader: string;

  beforeEach(async () => {
    api = await startFakeApiServer();
    time = new FakeTimers();
    leader = 'aspen-0';
    api.put({
      apiVersion: 'aspen.dev/v1alpha1',
      kind: 'ApiSecurityPolicy',
      metadata: { name: 'orders-api', namespace: 'shop' },
      spec: { selector: {} },
    });
  });

  afterEach(async () => {
    await api.close();
  });

  async function replica(id: string): Promise<Replica> {
    const reporting = new StatusReporting({
      kubeConfig: api.kubeConfig,
      namespace: 'aspen-system',
      replicaId: id,
      isLeader: () => leader === id,
      clock: time,
      timers: time,
      logger: silentLogger,
      networkPolicies: false,
    });
    await reporting.start();
    const cache = new SnapshotCache();
    const { snapshot } = cache.setSnapshot('shop/orders', {
      [LDS]: [
        {
          name: 'inbound',
          encoded: { $type: 'google.protobuf.Any', typeUrl: LDS, value: new Uint8Array([7]) },
        },
      ],
    });
    const proxy = { key: 'shop/orders', policies: ['shop/orders-api'], ports: [] } as unknown as ProxyIR;
    reporting.published({
      proxies: [proxy],
      statuses: [validStatus('shop/orders-api', 1, 2)],
      policies: [],
      failed: [],
      removed: [],
      cache,
    });
    return { reporting, cache, version: snapshot.types.get(LDS)?.version ?? '' };
  }

  function connect(r: Replica, pod: string): StreamInfo {
    const s = stream('shop/orders', `shop/${pod}`);
    const hooks = r.reporting.xdsEvents();
    hooks.onConnected?.(s);
    hooks.onSent?.(s, {
      typeUrl: LDS,
      version: r.version,
      nonce: '1',
      resourceCount: 1,
      bytes: 1,
      knownRejected: false,
    });
    return s;
  }

  function status(): {
    proxies?: unknown;
    conditions?: { type: string; status: string; reason: string; message: string }[];
  } {
    const obj = api.get('aspen.dev/v1alpha1', 'ApiSecurityPolicy', 'shop', 'orders-api') as {
      status?: object;
    };
    return obj.status ?? {};
  }

  async function until(replicas: Replica[], predicate: () => boolean): Promise<void> {
    for (let i = 0; i < 30 && !predicate(); i += 1) {
      time.advance(500);
      for (const r of replicas) await r.reporting.settled();
      await new Promise((resolve) => setImmediate(resolve));
    }
    await eventually(predicate);
  }

  it('aggregates a NACK from the non-leader replica, and the next leader takes over', async () => {
    const a = await replica('aspen-0');
    const b = await replica('aspen-1');
    try {
      const sa = connect(a, 'orders-a');
      a.reporting.xdsEvents().onAcked?.(sa, LDS, a.version);
      const sb = connect(b, 'orders-b');
      b.reporting.xdsEvents().onRejected?.(
        {
          proxyKey: 'shop/orders',
          typeUrl: LDS,
          version: b.version,
          message: NACK,
          code: 3,
          at: time.now(),
        },
        sb,
      );
      const programmed = (): { status: string; reason: string; message: string } | undefined =>
        status().conditions?.find((c) => c.type === 'Programmed');
      await until([a, b], () => programmed()?.reason === 'Rejected');
      expect(programmed()?.message).to.equal(
        `proxy shop/orders-b rejected Listener version ${b.version}: ${NACK}`,
      );
      expect(status().proxies).to.deep.equal({ connected: 2, acked: 1, rejected: 1 });

      // aspen-1 becomes leader; its proxy then ACKs: it writes Programmed=True from both reports.
      leader = 'aspen-1';
      a.reporting.stoppedLeading();
      b.reporting.startedLeading();
      b.reporting.xdsEvents().onAcked?.(sb, LDS, b.version);
      await until([a, b], () => programmed()?.status === 'True');
      expect(status().proxies).to.deep.equal({ connected: 2, acked: 2, rejected: 0 });
    } finally {
      await a.reporting.stop();
      await b.reporting.stop();
    }
    expect(api.list('v1', 'ConfigMap', 'aspen-system')).to.deep.equal([]);
  });
});
