/** Desired policy status from the translator's status and every replica's sync entries. */
import { expect } from 'chai';
import { aggregateStatuses, desiredStatus } from '../../src/status/aggregate.js';
import type { PolicySync } from '../../src/status/replica-summary.js';
import type { PolicyStatus } from '../../src/translate/status.js';
import { LDS, validStatus } from './fixtures.js';

function entry(partial: Partial<PolicySync> & { generation: number }): PolicySync {
  return {
    policy: 'shop/orders-api',
    connected: 0,
    acked: 0,
    rejected: 0,
    rejections: [],
    unsupported: 0,
    unsupportedSamples: [],
    ...partial,
  };
}

function programmed(
  status: PolicyStatus,
  entries: PolicySync[],
): { status: string; reason: string; message: string } {
  const c = desiredStatus(status, entries).conditions.find((x) => x.type === 'Programmed');
  return { status: c?.status ?? '', reason: c?.reason ?? '', message: c?.message ?? '' };
}

describe('aggregated policy status', () => {
  const policy = validStatus('shop/orders-api', 4, 2);

  it('is Programmed when every connected proxy of every replica ACKed the current generation', () => {
    const d = desiredStatus(policy, [
      entry({ generation: 4, connected: 2, acked: 2 }),
      entry({ generation: 4, connected: 1, acked: 1 }),
    ]);
    expect(d.proxies).to.deep.equal({ connected: 3, acked: 3, rejected: 0 });
    expect(d.observedGeneration).to.equal(4);
    expect(d.workloads).to.equal(2);
    expect(d.conditions.map((c) => `${c.type}=${c.status}/${c.reason}`)).to.deep.equal([
      'Accepted=True/Accepted',
      'Programmed=True/Programmed',
      'ResolvedRefs=True/ResolvedRefs',
      'Warnings=False/NoWarnings',
    ]);
    expect(d.conditions.every((c) => c.observedGeneration === 4)).to.equal(true);
  });

  it("keeps the translator's Programmed=False (UnsupportedByDataPlane) even when every proxy ACKed", () => {
    const unsupported: PolicyStatus = {
      ...policy,
      conditions: [
        ...policy.conditions,
        {
          type: 'Programmed',
          status: 'False',
          reason: 'UnsupportedByDataPlane',
          message: 'proxyless gRPC cannot enforce: rate limits (shop/orders)',
        },
      ],
    };
    const p = programmed(unsupported, [entry({ generation: 4, connected: 2, acked: 2 })]);
    expect(p).to.deep.equal({
      status: 'False',
      reason: 'UnsupportedByDataPlane',
      message: 'proxyless gRPC cannot enforce: rate limits (shop/orders)',
    });
  });

  it('is Pending while a replica still serves an older generation or a proxy has not ACKed', () => {
    const p = programmed(policy, [
      entry({ generation: 4, connected: 1, acked: 1 }),
      entry({ generation: 3, connected: 1, acked: 1 }),
    ]);
    expect(p).to.deep.equal({
      status: 'False',
      reason: 'Pending',
      message: '1 of 2 connected proxies acknowledged generation 4; waiting for 1',
    });
  });

  it('is Rejected with the proxy name and the exact NACK text', () => {
    const text = 'Error adding/updating listener(s) inbound: bad';
    const p = programmed(policy, [
      entry({
        generation: 4,
        connected: 2,
        acked: 0,
        rejected: 2,
        rejections: [{ proxy: 'shop/orders-b', typeUrl: LDS, version: 'v9', message: 'other' }],
      }),
      entry({
        generation: 4,
        connected: 1,
        rejected: 1,
        rejections: [{ proxy: 'shop/orders-a', typeUrl: LDS, version: 'v9', message: text }],
      }),
    ]);
    expect(p.status).to.equal('False');
    expect(p.reason).to.equal('Rejected');
    expect(p.message).to.equal(
      `proxy shop/orders-a rejected Listener version v9 (and 2 more proxies): ${text}`,
    );
  });

  it('says when no proxy of the selected workloads is connected, and when nothing is selected', () => {
    expect(programmed(policy, []).reason).to.equal('NoProxies');
    expect(programmed(validStatus('shop/x', 1, 0), [])).to.include({ status: 'True', reason: 'NoWorkloads' });
  });

  it('is not Programmed when the policy is not accepted', () => {
    const invalid: PolicyStatus = {
      ...policy,
      conditions: [{ type: 'Accepted', status: 'False', reason: 'Invalid', message: 'spec.x: bad' }],
    };
    expect(programmed(invalid, [entry({ generation: 4, connected: 1, acked: 1 })])).to.include({
      status: 'False',
      reason: 'NotAccepted',
    });
  });

  it('adds a Warnings condition for proxies running an unsupported Envoy version, keeping other warnings', () => {
    const unsupported = entry({
      generation: 4,
      connected: 1,
      acked: 1,
      unsupported: 1,
      unsupportedSamples: [{ proxy: 'shop/orders-a', version: '1.20.0' }],
    });
    const w = desiredStatus(policy, [unsupported]).conditions.find((c) => c.type === 'Warnings');
    expect(w).to.include({ status: 'True', reason: 'UnsupportedProxyVersion' });
    expect(w?.message).to.equal('1 proxy run an unsupported Envoy version: shop/orders-a (Envoy 1.20.0)');
    const withWarning: PolicyStatus = {
      ...policy,
      conditions: policy.conditions.map((c) =>
        c.type === 'Warnings' ? { ...c, status: 'True', reason: 'NotYetEnforced', message: 'openapi' } : c,
      ),
    };
    const both = desiredStatus(withWarning, [unsupported]).conditions.find((c) => c.type === 'Warnings');
    expect(both).to.include({ reason: 'NotYetEnforced' });
    expect(both?.message).to.match(/^openapi; 1 proxy run an unsupported Envoy version/);
  });

  it('matches report entries to policies by key', () => {
    const other = validStatus('shop/other', 1, 1);
    const out = aggregateStatuses(
      [policy, other],
      [{ policies: [entry({ generation: 4, connected: 1, acked: 1 })] }],
    );
    expect(out.map((d) => d.proxies.connected)).to.deep.equal([1, 0]);
  });
});
