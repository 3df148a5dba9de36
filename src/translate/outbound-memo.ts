/**
 * The outbound side across translations (ADR 0033): each service's OutboundServiceIR is kept with what it was
 * computed from, and reused while that is unchanged; a recomputed service equal to the previous one keeps the previous
 * object, and a list with the same elements as the previous translation's is the previous list object. So when
 * nothing on the outbound side changed, every proxy gets the same array as before and comparing it costs nothing.
 */
import type { OutboundServiceIR, PortIR, ProxyIR } from '../ir/index.js';
import type { Service, Workload } from '../provider/snapshot.js';
import { objectKey } from './coverage.js';
import type { OutboundCache, OutboundInput } from './outbound.js';
import { outboundService } from './outbound.js';
import type { JsonOf } from './snapshot-index.js';

/** What one service's IR was computed from, and the IR. */
interface Remembered {
  /** JSON of the Service. */
  service: string;
  /**
   * Per workload behind it: its JSON, and what the IR reads of its proxy (key, identity, ports' numbers and mTLS
   * modes, see `seen`).
   */
  behind: unknown[];
  /** The IR. */
  ir: OutboundServiceIR;
}

function sameList(a: readonly unknown[], b: readonly unknown[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** The outbound memo of one TranslateMemo. */
export class OutboundMemo implements OutboundCache {
  private last = new Map<string, Remembered>();
  private next = new Map<string, Remembered>();
  private lastList: OutboundServiceIR[] | undefined;
  /** Everything the last list was computed from (see {@link inputsOf}). */
  private lastInputs: unknown[] = [];
  /** Per ports array of a proxy (immutable once translated), the part the outbound side reads. */
  private portsSeen = new WeakMap<readonly PortIR[], { key: string; identity: string; text: string }>();

  /**
   * `json` serialises snapshot objects (cached per object within one translation); `workloads` fingerprints the
   * workloads of every namespace (equal values: equal workload lists per namespace).
   */
  constructor(
    private readonly json: JsonOf,
    private readonly workloads: () => unknown[],
  ) {}

  unchanged(input: OutboundInput): OutboundServiceIR[] | undefined {
    if (this.lastList === undefined) return undefined;
    return sameList(this.lastInputs, this.inputsOf(input)) ? this.lastList : undefined;
  }

  service(service: Service, behind: readonly Workload[], input: OutboundInput): OutboundServiceIR {
    const key = objectKey(service);
    const serviceJson = this.json(service);
    const deps = behind.flatMap((w) => {
      const proxy = input.proxies.get(objectKey(w));
      return [this.json(w), proxy === undefined ? undefined : this.seen(proxy)];
    });
    const previous = this.last.get(key);
    let ir: OutboundServiceIR;
    if (previous?.service === serviceJson && sameList(previous.behind, deps)) ir = previous.ir;
    else {
      ir = outboundService(service, behind, input);
      if (previous !== undefined && JSON.stringify(previous.ir) === JSON.stringify(ir)) ir = previous.ir;
    }
    this.next.set(key, { service: serviceJson, behind: deps, ir });
    return ir;
  }

  list(services: OutboundServiceIR[], input: OutboundInput): OutboundServiceIR[] {
    const previous = this.lastList;
    this.last = this.next;
    this.next = new Map();
    this.lastInputs = this.inputsOf(input);
    if (previous !== undefined && sameList(previous, services)) return previous;
    this.lastList = services;
    return services;
  }

  /** Forgets everything. */
  reset(): void {
    this.last.clear();
    this.next.clear();
    this.lastList = undefined;
    this.lastInputs = [];
  }

  /**
   * Everything the outbound list is computed from, flat: the Services' JSON, the workloads' fingerprints per namespace
   * (a service selects in its namespace only), and what it reads of each proxy (see `seen`). The cluster domain is
   * fixed per memo.
   */
  private inputsOf(input: OutboundInput): unknown[] {
    const out: unknown[] = [this.json(input.services), ...this.workloads()];
    for (const [key, proxy] of input.proxies) out.push(key, this.seen(proxy));
    return out;
  }

  /** What the outbound side reads of a proxy: key, identity, and each port's number and mTLS mode. */
  private seen(proxy: ProxyIR): string {
    const known = this.portsSeen.get(proxy.ports);
    if (known?.key === proxy.key && known.identity === proxy.identity) return known.text;
    const ports = proxy.ports.map((p) => `${p.port}:${p.enforce.mtls}`).join(',');
    const text = `${proxy.key}\0${proxy.identity}\0${ports}`;
    this.portsSeen.set(proxy.ports, { key: proxy.key, identity: proxy.identity, text });
    return text;
  }
}
