// The pure per-type protocol rules: wildcard and named subscriptions, request classification, when to respond.
import { expect } from 'chai';
import { DiscoveryRequest } from '../../../src/gen/envoy/service/discovery/v3/discovery.js';
import { Status } from '../../../src/gen/google/rpc/status.js';
import { buildTypeSnapshot } from '../../../src/xds/cache/index.js';
import {
  applyRequest,
  classifyRequest,
  forgetStaleRejection,
  needsResponse,
  nextSubscription,
  selectResources,
  subscriptionKey,
} from '../../../src/xds/server/subscription.js';
import type { TypeState } from '../../../src/xds/server/subscription.js';
import { CDS, RDS, cluster, route } from './harness.js';

function request(partial: Partial<Omit<DiscoveryRequest, '$type'>>): DiscoveryRequest {
  return DiscoveryRequest.fromPartial({ typeUrl: CDS, ...partial });
}

function sentState(version: string, nonce: string): TypeState {
  const subscription = nextSubscription(undefined, []);
  return {
    subscription,
    sent: { version, nonce, subscriptionKey: subscriptionKey(subscription) },
    ackedVersion: undefined,
    rejectedVersion: undefined,
  };
}

describe('xds/server/subscription', () => {
  describe('nextSubscription', () => {
    it('a first request without names is a wildcard; later empty requests keep it (Envoy LDS/CDS ACKs)', () => {
      const first = nextSubscription(undefined, []);
      expect(first).to.deep.equal({ wildcard: true, names: [] });
      expect(nextSubscription(first, [])).to.deep.equal({ wildcard: true, names: [] });
    });

    it('`*` is an explicit wildcard, alongside names', () => {
      expect(nextSubscription(undefined, ['b', '*', 'a'])).to.deep.equal({
        wildcard: true,
        names: ['a', 'b'],
      });
    });

    it('names replace a wildcard; an empty list then unsubscribes everything', () => {
      const named = nextSubscription(nextSubscription(undefined, []), ['r2', 'r1', 'r1']);
      expect(named).to.deep.equal({ wildcard: false, names: ['r1', 'r2'] });
      expect(nextSubscription(named, [])).to.deep.equal({ wildcard: false, names: [] });
    });
  });

  describe('classifyRequest', () => {
    it('anything is initial before a response was sent, even a nonce and version from an earlier stream', () => {
      expect(classifyRequest(undefined, request({ versionInfo: 'v1', responseNonce: '7' }))).to.deep.equal({
        kind: 'initial',
      });
    });

    it('a nonce other than the latest is stale, including an empty one', () => {
      const state = sentState('v2', '9');
      expect(classifyRequest(state, request({ responseNonce: '8', versionInfo: 'v2' })).kind).to.equal(
        'stale',
      );
      expect(classifyRequest(state, request({})).kind).to.equal('stale');
    });

    it('error_detail makes a NACK of the version sent, whatever version_info says', () => {
      const state = sentState('v2', '9');
      const nack = request({
        responseNonce: '9',
        versionInfo: 'v1',
        errorDetail: Status.fromPartial({ code: 3, message: 'bad' }),
      });
      expect(classifyRequest(state, nack)).to.deep.equal({
        kind: 'nack',
        version: 'v2',
        code: 3,
        message: 'bad',
      });
    });

    it('the latest nonce with the version sent and no error is an ACK; another version is a repeat', () => {
      const state = sentState('v2', '9');
      expect(classifyRequest(state, request({ responseNonce: '9', versionInfo: 'v2' }))).to.deep.equal({
        kind: 'ack',
        version: 'v2',
      });
      expect(classifyRequest(state, request({ responseNonce: '9', versionInfo: 'v1' })).kind).to.equal(
        'update',
      );
    });
  });

  describe('needsResponse', () => {
    const v1 = buildTypeSnapshot(CDS, [cluster('a')]);
    const v2 = buildTypeSnapshot(CDS, [cluster('a', 'changed')]);

    it('not while the version sent is the snapshot version, ACKed or in flight', () => {
      expect(needsResponse(sentState(v1.version, '1'), v1)).to.equal(false);
      expect(needsResponse(sentState(v1.version, '1'), v2)).to.equal(true);
    });

    it('a NACKed version is not resent; the rejection is forgotten when the snapshot moves on', () => {
      const state = sentState(v2.version, '2');
      const nack = request({
        responseNonce: '2',
        errorDetail: Status.fromPartial({ code: 3, message: 'bad' }),
      });
      applyRequest(state, nack, classifyRequest(state, nack));
      expect(state.rejectedVersion).to.equal(v2.version);
      forgetStaleRejection(state, v2);
      expect(needsResponse(state, v2)).to.equal(false);
      expect(state.rejectedVersion).to.equal(v2.version);
      forgetStaleRejection(state, v1);
      expect(needsResponse(state, v1)).to.equal(true);
      expect(state.rejectedVersion).to.equal(undefined);
    });

    it('a changed subscription is answered even at the same version', () => {
      const state = sentState(v1.version, '1');
      state.subscription = nextSubscription(state.subscription, ['a']);
      expect(needsResponse(state, v1)).to.equal(true);
    });
  });

  it('selectResources: a wildcard gets all, names get the existing named ones in name order', () => {
    const routes = buildTypeSnapshot(RDS, [route('r3'), route('r1'), route('r2')]);
    const names = (list: readonly { name: string }[]): string[] => list.map((r) => r.name);
    expect(names(selectResources(nextSubscription(undefined, []), routes))).to.deep.equal(['r1', 'r2', 'r3']);
    expect(names(selectResources(nextSubscription(undefined, ['r3', 'x', 'r1']), routes))).to.deep.equal([
      'r1',
      'r3',
    ]);
  });
});
