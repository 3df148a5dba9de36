/**
 * The segmentation NetworkPolicy reconciler against the fake API server through the real client: create, update,
 * delete, invalid policies keep theirs, foreign NetworkPolicies untouched, nothing written when not leading, and
 * garbage collection through the owner reference.
 */
import { expect } from 'chai';
import type { ApiSecurityPolicy } from '../../src/api/v1alpha1/types.js';
import { NetworkPolicyReconciler } from '../../src/segmentation/reconciler.js';
import { segmentationNetworkPolicies } from '../../src/segmentation/network-policy.js';
import { silentLogger } from '../../src/xds/server/types.js';
import { startFakeApiServer } from '../support/fake-apiserver/index.js';
import type { FakeApiServer } from '../support/fake-apiserver/index.js';

function policy(name: string, app: string, uid = `uid-${name}`): ApiSecurityPolicy {
  return {
    apiVersion: 'aspen.dev/v1alpha1',
    kind: 'ApiSecurityPolicy',
    metadata: { name, namespace: 'shop', uid },
    spec: {
      selector: { matchLabels: { app: 'orders' } },
      segmentation: { allowFrom: [{ podSelector: { matchLabels: { app } } }] },
    },
  };
}

describe('segmentation NetworkPolicy reconciler (fake API server)', () => {
  let api: FakeApiServer;
  let leading: boolean;
  let reconciler: NetworkPolicyReconciler;

  beforeEach(async () => {
    api = await startFakeApiServer();
    leading = true;
    reconciler = new NetworkPolicyReconciler({
      kubeConfig: api.kubeConfig,
      isLeader: () => leading,
      logger: silentLogger,
    });
  });

  afterEach(async () => {
    await api.close();
  });

  function names(): string[] {
    return api
      .list('networking.k8s.io/v1', 'NetworkPolicy')
      .map((o) => {
        const m = o.metadata as { namespace: string; name: string };
        return `${m.namespace}/${m.name}`;
      })
      .sort();
  }

  function peersOf(name: string): unknown {
    const np = api.get('networking.k8s.io/v1', 'NetworkPolicy', 'shop', name) as {
      spec: { ingress: { from: unknown }[] };
    };
    return np.spec.ingress[0]?.from;
  }

  it('creates, updates (only when changed) and deletes NetworkPolicies', async () => {
    const first = await reconciler.reconcile(
      segmentationNetworkPolicies([policy('a', 'frontend'), policy('b', 'batch')]),
    );
    expect(first.created).to.deep.equal(['shop/aspen-seg-a', 'shop/aspen-seg-b']);
    expect(names()).to.deep.equal(['shop/aspen-seg-a', 'shop/aspen-seg-b']);
    // Stored with `from` (client-node calls it `_from`; a lost `from` would admit every source).
    expect(peersOf('aspen-seg-a')).to.deep.equal([{ podSelector: { matchLabels: { app: 'frontend' } } }]);

    const same = await reconciler.reconcile(
      segmentationNetworkPolicies([policy('a', 'frontend'), policy('b', 'batch')]),
    );
    expect(same).to.deep.equal({ created: [], updated: [], deleted: [], failed: [] });

    const changed = await reconciler.reconcile(segmentationNetworkPolicies([policy('a', 'checkout')]));
    expect(changed).to.deep.include({ updated: ['shop/aspen-seg-a'], deleted: ['shop/aspen-seg-b'] });
    expect(peersOf('aspen-seg-a')).to.deep.equal([{ podSelector: { matchLabels: { app: 'checkout' } } }]);
    expect(names()).to.deep.equal(['shop/aspen-seg-a']);
  });

  it('keeps the NetworkPolicy of a policy that is invalid now, and never touches foreign NetworkPolicies', async () => {
    await reconciler.reconcile(segmentationNetworkPolicies([policy('a', 'frontend')]));
    api.put({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'default-deny', namespace: 'shop' },
      spec: { podSelector: {}, policyTypes: ['Ingress'] },
    });
    const result = await reconciler.reconcile([], new Set(['shop/a']));
    expect(result.deleted).to.deep.equal([]);
    expect(names()).to.deep.equal(['shop/aspen-seg-a', 'shop/default-deny']);
    await reconciler.reconcile([]);
    expect(names()).to.deep.equal(['shop/default-deny']);
  });

  it('writes nothing when not leading', async () => {
    leading = false;
    await reconciler.reconcile(segmentationNetworkPolicies([policy('a', 'frontend')]));
    expect(names()).to.deep.equal([]);
  });

  it('is garbage-collected with its policy (owner reference)', async () => {
    const p = policy('a', 'frontend');
    const stored = api.put({ ...p, metadata: { ...p.metadata } });
    const uid = (stored.metadata as { uid?: string }).uid ?? '';
    await reconciler.reconcile(segmentationNetworkPolicies([policy('a', 'frontend', uid)]));
    expect(names()).to.deep.equal(['shop/aspen-seg-a']);
    api.remove('aspen.dev/v1alpha1', 'ApiSecurityPolicy', 'shop', 'a');
    api.collectGarbage();
    expect(names()).to.deep.equal([]);
  });
});
