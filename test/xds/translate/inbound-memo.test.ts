// ADR 0034: the inbound side is memoised by content. Alike content gives the very same message objects (so the
// check, encoding and version memos hit); different content never gets a stale object.
import { expect } from 'chai';
import type { Listener } from '../../../src/gen/envoy/config/listener/v3/listener.js';
import type { PortIR, ProxyIR } from '../../../src/ir/index.js';
import { toCanonicalJson } from '../../../src/xds/proto/json.js';
import { TypeUrl } from '../../../src/xds/translate/resources.js';
import { defaultXdsConfig } from '../../../src/xds/translate/config.js';
import { portFilters, portRoutes, sharedInbound } from '../../../src/xds/translate/inbound.js';
import { canonicalConfig, ContentMemo } from '../../../src/xds/translate/memo.js';
import { mergeByName, translateProxy } from '../../../src/xds/translate/translate.js';
import { policySet, port, proxy } from './fixtures.js';

const config = defaultXdsConfig('cluster.local');

/** The same proxy as new objects throughout (as a rebuild makes them). */
function copy(ir: ProxyIR): ProxyIR {
  return structuredClone(ir);
}

function limited(requests: number): PortIR {
  return port(8080, {
    policies: ['shop/p'],
    enforce: policySet({
      rateLimits: [
        { id: 'shop/p/r', match: {}, requests, intervalMs: 1000, burst: requests, scope: 'Local' },
      ],
    }),
  });
}

/** The listener's canonical JSON (Any contents unpacked). */
function text(listener: Listener | undefined): string {
  return JSON.stringify(listener === undefined ? null : toCanonicalJson(TypeUrl.Listener, listener));
}

function named(ir: ProxyIR, name: string): ProxyIR {
  return { ...ir, key: `shop/${name}`, workload: { ...ir.workload, name } };
}

describe('xds inbound memo (ADR 0034)', () => {
  it('gives a proxy with the same inbound content the very same messages, across rebuilds', () => {
    const ir = proxy([limited(10), port(9090)]);
    const one = translateProxy(ir, config);
    const again = translateProxy(copy(ir), defaultXdsConfig('cluster.local'));
    const inbound = (r: typeof one): Listener | undefined => r.listeners.find((l) => l.name === 'inbound');
    expect(inbound(again)).to.not.equal(undefined);
    expect(inbound(again)).to.equal(inbound(one));
    again.routes.forEach((r, i) => expect(r).to.equal(one.routes[i]));
    again.clusters.forEach((c, i) => expect(c).to.equal(one.clusters[i]));
  });

  it('shares the filters and routes of ports alike, while the listener names its own workload in the log', () => {
    const a = proxy([limited(10)]);
    const b = named(copy(a), 'payments');
    const one = sharedInbound(a, config);
    const two = sharedInbound(b, config);
    expect(two.listener).to.not.equal(one.listener);
    expect(text(two.listener)).to.contain('"workload":"shop/payments"');
    expect(text(one.listener)).to.contain('"workload":"shop/orders"');
    expect(two.routes[0]).to.equal(one.routes[0]);
    expect(portFilters(b.ports[0] as PortIR, config)).to.equal(portFilters(a.ports[0] as PortIR, config));
  });

  it('shares the whole inbound side between workloads when access logging is off (no workload name in it)', () => {
    const quiet = port(8080, { accessLog: { enabled: false, redactHeaders: ['authorization'] } });
    const one = sharedInbound(proxy([quiet]), config);
    const two = sharedInbound(named(proxy([structuredClone(quiet)]), 'payments'), config);
    expect(two.listener).to.equal(one.listener);
  });

  it('shares a port’s filters whatever its number, but not its routes or chains', () => {
    const p8080 = limited(10);
    const p9090 = { ...structuredClone(p8080), port: 9090 };
    expect(portFilters(p9090, config)).to.equal(portFilters(p8080, config));
    expect(portRoutes(p9090)).to.not.equal(portRoutes(p8080));
    expect(portRoutes(p9090).name).to.contain('9090');
  });

  it('never returns a stale object when the content changes', () => {
    const before = sharedInbound(proxy([limited(10)]), config);
    const after = sharedInbound(proxy([limited(20)]), config);
    const back = sharedInbound(proxy([limited(10)]), config);
    expect(after.listener).to.not.equal(before.listener);
    expect(text(after.listener)).to.contain('"tokensPerFill":20');
    expect(text(before.listener)).to.contain('"tokensPerFill":10');
    expect(back.listener).to.equal(before.listener);
    const filters = (p: PortIR): unknown => portFilters(p, config).httpFilters;
    expect(filters(limited(20))).to.not.equal(filters(limited(10)));
  });

  it('keys on the settings’ content: equal settings share, other settings do not', () => {
    const ir = proxy([port(8080)]);
    const moved = { ...defaultXdsConfig('cluster.local'), sidecar: { inbound: 15106, outbound: 15001 } };
    expect(canonicalConfig(defaultXdsConfig('cluster.local'))).to.equal(canonicalConfig(config));
    expect(canonicalConfig(moved)).to.not.equal(canonicalConfig(config));
    const one = sharedInbound(ir, canonicalConfig(config));
    const other = sharedInbound(copy(ir), canonicalConfig(moved));
    expect(other.listener).to.not.equal(one.listener);
    expect(text(other.listener)).to.contain('"portValue":15106');
  });

  it('translates a proxy without ports to no inbound listener', () => {
    const out = sharedInbound(proxy([]), config);
    expect(out.listener).to.equal(undefined);
    expect(out.routes).to.deep.equal([]);
  });
});

describe('xds ContentMemo', () => {
  it('computes once per key and drops the least recently used entry beyond its bound', () => {
    const memo = new ContentMemo<{ key: string }>(2);
    let computed = 0;
    const get = (key: string): { key: string } =>
      memo.get(key, () => {
        computed += 1;
        return { key };
      });
    const a = get('a');
    get('b');
    expect(get('a')).to.equal(a); // a is now the most recent
    get('c'); // b goes
    expect(memo.size).to.equal(2);
    expect(computed).to.equal(3);
    expect(get('a')).to.equal(a);
    get('b');
    expect(computed).to.equal(4);
  });
});

describe('xds mergeByName', () => {
  const n = (name: string, from: string): { name: string; from: string } => ({ name, from });

  it('merges two sorted lists, the first list’s entry first on equal names', () => {
    const merged = mergeByName([n('a', '1'), n('c', '1')], [n('b', '2'), n('c', '2'), n('d', '2')]);
    expect(merged.map((x) => `${x.name}${x.from}`)).to.deep.equal(['a1', 'b2', 'c1', 'c2', 'd2']);
  });

  it('keeps only the first list’s entry of a name when unique', () => {
    const merged = mergeByName([n('b', '1')], [n('a', '2'), n('b', '2'), n('c', '2')], true);
    expect(merged.map((x) => `${x.name}${x.from}`)).to.deep.equal(['a2', 'b1', 'c2']);
  });
});
