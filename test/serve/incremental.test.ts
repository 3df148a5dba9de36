// ADRs 0027 and 0033: a rebuild re-translates only the proxies whose IR changed, their outbound side compared per proxy.
import { expect } from 'chai';
import type { OutboundServiceIR, ProxyIR } from '../../src/ir/index.js';
import { ProxyIrMemory } from '../../src/serve/incremental.js';
import { port, proxy } from '../xds/translate/fixtures.js';

function named(key: string, ports: number[], outbound: OutboundServiceIR[]): ProxyIR {
  return {
    ...proxy(
      ports.map((p) => port(p)),
      outbound,
    ),
    key,
  };
}

const svc = (host: string): OutboundServiceIR => ({ key: host, host, ports: [] });

describe('serve/incremental ProxyIrMemory', () => {
  it('reports every proxy first, then only those whose own IR changed, and the removed ones', () => {
    const memory = new ProxyIrMemory();
    const outbound = [svc('a')];
    const first = [named('shop/a', [8080], outbound), named('shop/b', [8080], outbound)];
    expect(memory.diff(first).changed.map((p) => p.key)).to.deep.equal(['shop/a', 'shop/b']);
    const same = [named('shop/a', [8080], outbound), named('shop/b', [8080], outbound)];
    expect(memory.diff(same)).to.deep.equal({ changed: [], removed: [] });
    const edited = [named('shop/a', [8080, 9090], outbound)];
    const diff = memory.diff(edited);
    expect(diff.changed.map((p) => p.key)).to.deep.equal(['shop/a']);
    expect(diff.removed).to.deep.equal(['shop/b']);
  });

  it('rebuilds every proxy when the shared outbound content changes, not when only its array is new', () => {
    const memory = new ProxyIrMemory();
    memory.diff([named('shop/a', [8080], [svc('a')]), named('shop/b', [8080], [svc('a')])]);
    const sameContent = [svc('a')];
    expect(
      memory.diff([named('shop/a', [8080], sameContent), named('shop/b', [8080], sameContent)]).changed,
    ).to.deep.equal([]);
    const added = [svc('a'), svc('b')];
    const diff = memory.diff([named('shop/a', [8080], added), named('shop/b', [8080], added)]);
    expect(diff.changed.map((p) => p.key)).to.deep.equal(['shop/a', 'shop/b']);
  });

  it('compares the outbound side per proxy: proxies may receive different lists', () => {
    const memory = new ProxyIrMemory();
    const narrow = [svc('a')];
    const wide = [svc('a'), svc('b')];
    memory.diff([named('shop/a', [8080], narrow), named('shop/b', [8080], wide)]);
    const wider = [svc('a'), svc('b'), svc('c')];
    const diff = memory.diff([named('shop/a', [8080], [svc('a')]), named('shop/b', [8080], wider)]);
    expect(diff.changed.map((p) => p.key)).to.deep.equal(['shop/b']);
    const swapped = memory.diff([named('shop/a', [8080], wider), named('shop/b', [8080], narrow)]);
    expect(swapped.changed.map((p) => p.key)).to.deep.equal(['shop/a', 'shop/b']);
  });

  it('a proxy with the same field objects is unchanged; a new object with equal content too', () => {
    const memory = new ProxyIrMemory();
    const a = named('shop/a', [8080], []);
    memory.diff([a]);
    expect(memory.diff([{ ...a }]).changed).to.deep.equal([]);
    expect(memory.diff([structuredClone(a)]).changed).to.deep.equal([]);
    expect(memory.diff([{ ...a, identity: 'spiffe://other' }]).changed).to.have.length(1);
  });

  it('reports everything again after reset', () => {
    const memory = new ProxyIrMemory();
    const list = [named('shop/a', [8080], [])];
    memory.diff(list);
    memory.reset();
    expect(memory.diff(list).changed).to.have.length(1);
  });
});
