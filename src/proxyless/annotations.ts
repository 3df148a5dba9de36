/**
 * The pod annotations of proxyless gRPC workloads: `aspen.dev/proxyless: "true"` marks a workload whose gRPC library
 * talks xDS to aspen itself (no Envoy sidecar); `aspen.dev/addresses` gives its pod IPs in file mode, where no pod
 * exists to read them from (a cluster provider reads them from the pods).
 */
import { isIP } from 'node:net';

/** Marks a proxyless gRPC workload (value `"true"`). */
export const PROXYLESS_ANNOTATION = 'aspen.dev/proxyless';

/** File mode: the workload's pod IPs, comma-separated (e.g. `"10.0.0.7, 10.0.0.8"` or `"127.0.0.1"`). */
export const ADDRESSES_ANNOTATION = 'aspen.dev/addresses';

/** Whether the annotations mark a proxyless gRPC workload (exactly `"true"`; anything else means Envoy). */
export function isProxyless(annotations: Readonly<Record<string, string>>): boolean {
  return annotations[PROXYLESS_ANNOTATION] === 'true';
}

/** The addresses of the annotation: valid IPs (sorted, unique) and the entries that are not IPs. */
export interface ParsedAddresses {
  /** Valid IPv4/IPv6 addresses, sorted and unique. */
  addresses: string[];
  /** Entries that are not IP addresses, as written. */
  invalid: string[];
}

/** Parses `aspen.dev/addresses`; absent gives no addresses. Empty entries (`"a,,b"`) are ignored. */
export function parseAddresses(annotations: Readonly<Record<string, string>>): ParsedAddresses {
  const value = annotations[ADDRESSES_ANNOTATION];
  if (value === undefined) return { addresses: [], invalid: [] };
  const entries = value
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '');
  const addresses = [...new Set(entries.filter((e) => isIP(e) !== 0))].sort();
  return { addresses, invalid: entries.filter((e) => isIP(e) === 0) };
}
