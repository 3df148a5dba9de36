// The pure per-type rules of the incremental (delta) protocol: subscriptions (legacy and explicit wildcard), ACK/NACK
// classification by nonce, and which resources and removals a snapshot owes the proxy.
import { expect } from 'chai';
import { DeltaDiscoveryRequest } from '../../../src/gen/envoy/service/discovery/v3/discovery.js';
import { Status } from '../../../src/gen/google/rpc/status.js';
import { buildTypeSnapshot } from '../../../src/xds/cache/index.js';
import {
  applyAnswer,
  applySubscription,
  classifyDeltaRequest,
  computeDelta,
  deltaSubscription,
  markSent,
  newDeltaState,
  resourceVersion,
} from '../../../src/xds/server/delta-state.js';
import type { DeltaChange, DeltaTypeState } from '../../../src/xds/server/delta-state.js';
import { CDS, cluster } from './harness.js';

function request(partial: Partial<Omit<DeltaDiscoveryRequest, '$type'>>): DeltaDiscoveryRequest {
  return DeltaDiscoveryRequest.fromPartial({ typeUrl: CDS, ...partial });
}

function start(partial: Partial<Omit<DeltaDiscoveryRequest, '$type'>> = {}): DeltaTypeState {
  const first = request(partial);
  const state = newDeltaState(first);
  applySubscription(state, first);
  return state;
}

function summary(change: DeltaChange): [string[], readonly string[]] {
  return [change.resources.map((r) => r.resource.name), change.removed];
}

describe('xds/server/delta-state', () => {
  const a = cluster('a');
  const b = cluster('b');
  const type = buildTypeSnapshot(CDS, [a, b]);

  describe('subscriptions', () => {
    it('an empty first request is a legacy wildcard; names end legacy mode but keep the wildcard', () => {
      const state = start();
      expect([state.wildcard, state.legacyWildcard]).to.deep.equal([true, true]);
      applySubscription(state, request({ resourceNamesSubscribe: ['a'] }));
      expect([state.wildcard, state.legacyWildcard]).to.deep.equal([true, false]);
      expect(deltaSubscription(state)).to.deep.equal({ wildcard: true, names: ['a'] });
      applySubscription(state, request({ resourceNamesUnsubscribe: ['*'] }));
      expect(deltaSubscription(state)).to.deep.equal({ wildcard: false, names: ['a'] });
    });

    it('names without `*` are not a wildcard; `*` is', () => {
      expect(start({ resourceNamesSubscribe: ['b', 'a'] }).wildcard).to.equal(false);
      expect(deltaSubscription(start({ resourceNamesSubscribe: ['*', 'a'] }))).to.deep.equal({
        wildcard: true,
        names: ['a'],
      });
    });
  });

  describe('classifyDeltaRequest', () => {
    it('no nonce: a subscription change; an in-flight nonce: ACK, or NACK with error_detail; else stale', () => {
      const state = start();
      markSent(state, computeDelta(state, type), type.version, '7');
      expect(classifyDeltaRequest(state, request({}))).to.deep.equal({ kind: 'subscription' });
      expect(classifyDeltaRequest(state, request({ responseNonce: '6' }))).to.deep.equal({ kind: 'stale' });
      expect(classifyDeltaRequest(state, request({ responseNonce: '7' }))).to.deep.equal({
        kind: 'ack',
        version: type.version,
      });
      const nack = request({
        responseNonce: '7',
        errorDetail: Status.fromPartial({ code: 3, message: 'bad' }),
      });
      const kind = classifyDeltaRequest(state, nack);
      expect(kind).to.deep.equal({ kind: 'nack', version: type.version, code: 3, message: 'bad' });
      applyAnswer(state, '7', kind);
      expect(state.rejectedVersion).to.equal(type.version);
      expect(classifyDeltaRequest(state, request({ responseNonce: '7' })).kind).to.equal('stale');
    });
  });

  describe('computeDelta', () => {
    it('a wildcard gets everything once; sent versions count as known (nothing again after a NACK)', () => {
      const state = start();
      const first = computeDelta(state, type);
      expect(summary(first)).to.deep.equal([['a', 'b'], []]);
      expect(first.resources[0]?.version).to.equal(resourceVersion(a));
      markSent(state, first, type.version, '1');
      expect(summary(computeDelta(state, type))).to.deep.equal([[], []]);
    });

    it('initial_resource_versions: equal versions are not resent, unknown names are removed', () => {
      const state = start({ initialResourceVersions: { a: resourceVersion(a), b: 'old', gone: 'x' } });
      expect(summary(computeDelta(state, type))).to.deep.equal([['b'], ['gone']]);
    });

    it('a missing subscribed name is reported removed once, and sent when it appears', () => {
      const state = start({ resourceNamesSubscribe: ['a', 'c'] });
      const first = computeDelta(state, type);
      expect(summary(first)).to.deep.equal([['a'], ['c']]);
      markSent(state, first, type.version, '1');
      expect(summary(computeDelta(state, type))).to.deep.equal([[], []]);
      const withC = buildTypeSnapshot(CDS, [a, b, cluster('c')]);
      expect(summary(computeDelta(state, withC))).to.deep.equal([['c'], []]);
    });

    it('unsubscribing a name while wildcard reports it again; otherwise it is forgotten', () => {
      const state = start({ resourceNamesSubscribe: ['*', 'a'] });
      markSent(state, computeDelta(state, type), type.version, '1');
      applySubscription(state, request({ resourceNamesUnsubscribe: ['a'] }));
      expect(summary(computeDelta(state, type))).to.deep.equal([['a'], []]);
      const named = start({ resourceNamesSubscribe: ['a'] });
      markSent(named, computeDelta(named, type), type.version, '1');
      applySubscription(named, request({ resourceNamesUnsubscribe: ['a'] }));
      expect([summary(computeDelta(named, type)), named.known.size]).to.deep.equal([[[], []], 0]);
    });
  });
});
