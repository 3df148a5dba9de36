/**
 * The outbound side across translations (ADR 0033): each service's OutboundServiceIR is kept with what it was
 * computed from, and reused while that is unchanged; a recomputed service equal to the previous one keeps the previous
 * object, and a list with the same elements as the previous translation's is the previous list object. So when
 * nothing on the outbound side changed, every proxy gets the same array as before and comparing it costs nothing.
 */
import type { OutboundServiceIR } from '../ir/index.js';
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
   * Per workload behind it: its JSON, and the parts of its proxy the IR reads (ports, identity, key). The proxy's
   * fields are compared by identity: the translate memo reuses them while they are unchanged.
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

  /** `json` serialises snapshot objects (cached per object within one translation). */
  constructor(private readonly json: JsonOf) {}

  service(service: Service, behind: readonly Workload[], input: OutboundInput): OutboundServiceIR {
    const key = objectKey(service);
    const serviceJson = this.json(service);
    const deps = behind.flatMap((w) => {
      const proxy = input.proxies.get(objectKey(w));
      return [this.json(w), proxy?.ports, proxy?.identity, proxy?.key];
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

  list(services: OutboundServiceIR[]): OutboundServiceIR[] {
    const previous = this.lastList;
    this.last = this.next;
    this.next = new Map();
    if (previous !== undefined && sameList(previous, services)) return previous;
    this.lastList = services;
    return services;
  }

  /** Forgets everything. */
  reset(): void {
    this.last.clear();
    this.next.clear();
    this.lastList = undefined;
  }
}
