import { expect } from 'chai';
import { WATCHED_KINDS } from '../../../src/provider/kubernetes/kinds.js';
import type { WatchedKind } from '../../../src/provider/kubernetes/kinds.js';
import { LIST_PAGE_SIZE, clientNodeTransport } from '../../../src/provider/kubernetes/transport.js';
import { startFakeApiServer } from '../../support/fake-apiserver/index.js';
import type { FakeApiServer } from '../../support/fake-apiserver/index.js';

function kind(name: WatchedKind['name']): WatchedKind {
  const found = WATCHED_KINDS.find((k) => k.name === name);
  if (found === undefined) throw new Error(name);
  return found;
}

describe('kubernetes provider transport (client-node)', () => {
  let api: FakeApiServer;
  beforeEach(async () => {
    api = await startFakeApiServer();
  });
  afterEach(async () => api.close());

  for (const [name, apiVersion, k] of [
    ['configMaps', 'v1', 'ConfigMap'],
    ['policies', 'aspen.dev/v1alpha1', 'ApiSecurityPolicy'],
  ] as const) {
    it(`lists ${k}s page by page (typed and untyped list answers), typed plain JSON without managedFields`, async () => {
      const count = 2 * LIST_PAGE_SIZE + 1;
      const managedFields = [{ manager: 'kubectl', operation: 'Update' }];
      for (let i = 0; i < count; i++)
        api.put({ apiVersion, kind: k, metadata: { name: `o${i}`, namespace: 'ns', managedFields } });
      const listed = await clientNodeTransport(api.kubeConfig).list(kind(name));
      expect(listed.items).to.have.length(count);
      expect(listed.resourceVersion).to.equal(api.store.currentVersion());
      expect(listed.items[0]).to.include({ apiVersion, kind: k });
      expect(listed.items[0]?.['metadata']).to.not.have.property('managedFields');
      const pages = api.requests.filter(
        (r) => r.method === 'GET' && r.query['limit'] === String(LIST_PAGE_SIZE),
      );
      expect(pages.map((r) => r.query['continue'] !== undefined)).to.deep.equal([false, true, true]);
    });
  }
});
