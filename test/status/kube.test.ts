/**
 * The status writer and the Event recorder through client-node against the fake API server: merge patch of the
 * status subresource with a resourceVersion precondition, 409 on a concurrent change then a refetch, the spec left
 * alone, and a core/v1 Event naming the policy for a transition.
 */
import { expect } from 'chai';
import { kubeEventRecorder } from '../../src/controller/events.js';
import { desiredStatus } from '../../src/status/aggregate.js';
import { kubeStatusApi } from '../../src/status/status-api.js';
import { StatusWriter } from '../../src/status/writer.js';
import { silentLogger } from '../../src/xds/server/types.js';
import { startFakeApiServer } from '../support/fake-apiserver/index.js';
import type { FakeApiServer } from '../support/fake-apiserver/index.js';
import { LDS, eventually, validStatus } from './fixtures.js';

const NACK = 'Error adding/updating listener(s) inbound|8080: unknown field "bogus"';

describe('status writer and Events (fake API server)', () => {
  let api: FakeApiServer;

  beforeEach(async () => {
    api = await startFakeApiServer();
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

  it('patches the status subresource, survives a concurrent change, and records an Event for a rejection', async () => {
    const clock = { now: () => new Date('2026-11-28T10:00:00Z') };
    const writer = new StatusWriter({
      api: kubeStatusApi(api.kubeConfig),
      isLeader: () => true,
      clock,
      logger: silentLogger,
      events: kubeEventRecorder(api.kubeConfig, {
        component: 'aspen-controller',
        instance: 'aspen-0',
        clock,
      }),
    });
    const rejected = desiredStatus(validStatus('shop/orders-api', 1, 1), [
      {
        policy: 'shop/orders-api',
        generation: 1,
        connected: 1,
        acked: 0,
        rejected: 1,
        rejections: [{ proxy: 'shop/orders-7d9f', typeUrl: LDS, version: 'abc', message: NACK }],
        unsupported: 0,
        unsupportedSamples: [],
      },
    ]);
    // Someone changes the object between the writer's read and its write: the patch gets 409, the writer refetches.
    let first = true;
    const statusApi = kubeStatusApi(api.kubeConfig);
    const racing = new StatusWriter({
      api: {
        get: async (ns, name) => {
          const got = await statusApi.get(ns, name);
          if (first) {
            first = false;
            const obj = api.get('aspen.dev/v1alpha1', 'ApiSecurityPolicy', 'shop', 'orders-api');
            if (obj !== undefined)
              api.put({ ...obj, metadata: { ...(obj.metadata as object), labels: { x: 'y' } } });
          }
          return got;
        },
        patchStatus: (ns, name, patch) => statusApi.patchStatus(ns, name, patch),
      },
      isLeader: () => true,
      clock,
      logger: silentLogger,
    });
    racing.update([rejected]);
    await racing.idle();
    const stored = api.get('aspen.dev/v1alpha1', 'ApiSecurityPolicy', 'shop', 'orders-api') as {
      spec: unknown;
      status: { conditions: { type: string; status: string; reason: string; message: string }[] };
    };
    expect(stored.spec).to.deep.equal({ selector: {} });
    const programmed = stored.status.conditions.find((c) => c.type === 'Programmed');
    expect(programmed).to.include({ status: 'False', reason: 'Rejected' });
    expect(programmed?.message).to.contain(NACK);
    expect(programmed?.message).to.contain('shop/orders-7d9f');
    const patches = api.requests.filter((r) => r.method === 'PATCH' && r.path.endsWith('/status'));
    expect(patches.map((p) => p.contentType)).to.deep.equal([
      'application/merge-patch+json',
      'application/merge-patch+json',
    ]);

    // A fresh writer (a new leader) sees the status unchanged and writes nothing; a transition gives an Event.
    writer.update([rejected]);
    await writer.idle();
    expect(api.requests.filter((r) => r.method === 'PATCH')).to.have.length(2);
    const programmedNow = desiredStatus(validStatus('shop/orders-api', 1, 1), [
      {
        ...{ policy: 'shop/orders-api', generation: 1, connected: 1, acked: 1, rejected: 0 },
        rejections: [],
        unsupported: 0,
        unsupportedSamples: [],
      },
    ]);
    writer.update([programmedNow]);
    await writer.idle();
    await eventually(() => api.list('v1', 'Event', 'shop').length > 0);
    const [event] = api.list('v1', 'Event', 'shop') as unknown as {
      reason: string;
      type: string;
      involvedObject: { kind: string; name: string };
    }[];
    expect(event).to.include({ reason: 'Programmed', type: 'Normal' });
    expect(event?.involvedObject).to.include({ kind: 'ApiSecurityPolicy', name: 'orders-api' });
  });
});
