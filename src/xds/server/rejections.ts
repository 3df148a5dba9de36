/**
 * The rejections currently standing, per proxy key and type: recorded on NACK, cleared when that proxy ACKs the type.
 * Shared by every stream of a server, so a proxy that reconnects and is sent a version it rejected before is visible
 * (`SentResponse.knownRejected`, a warning in the log), and so status reporting can list what is not applied.
 */
import type { Rejection } from './types.js';

/** Standing rejections of one server. */
export class RejectionRegistry {
  private readonly byProxy = new Map<string, Map<string, Rejection>>();

  /** Records a rejection, replacing an earlier one of the same proxy and type. */
  record(rejection: Rejection): void {
    let byType = this.byProxy.get(rejection.proxyKey);
    if (byType === undefined) {
      byType = new Map();
      this.byProxy.set(rejection.proxyKey, byType);
    }
    byType.set(rejection.typeUrl, rejection);
  }

  /** Clears the standing rejection of a type after the proxy ACKed a version of it. */
  clear(proxyKey: string, typeUrl: string): void {
    const byType = this.byProxy.get(proxyKey);
    byType?.delete(typeUrl);
    if (byType?.size === 0) {
      this.byProxy.delete(proxyKey);
    }
  }

  /** Forgets every rejection of a proxy key (its workload was deleted). */
  forgetProxy(proxyKey: string): void {
    this.byProxy.delete(proxyKey);
  }

  /** Whether the proxy's standing rejection of the type is of exactly this version. */
  isRejected(proxyKey: string, typeUrl: string, version: string): boolean {
    return this.byProxy.get(proxyKey)?.get(typeUrl)?.version === version;
  }

  /** Every standing rejection, sorted by proxy key then type URL. */
  list(): Rejection[] {
    const all = [...this.byProxy.values()].flatMap((byType) => [...byType.values()]);
    return all.sort((a, b) => compare(a.proxyKey, b.proxyKey) || compare(a.typeUrl, b.typeUrl));
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
