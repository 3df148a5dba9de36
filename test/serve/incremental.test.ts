// ADR 0027: a rebuild re-translates only the proxies whose IR changed; an outbound change rebuilds every proxy.
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

  it('reports everything again after reset', () => {
    const memory = new ProxyIrMemory();
    const list = [named('shop/a', [8080], [])];
    memory.diff(list);
    memory.reset();
    expect(memory.diff(list).changed).to.have.length(1);
  });
});
