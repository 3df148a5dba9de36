/**
 * The outbound side of every proxy: Services whose pods are meshed workloads, resolved to the workloads, container
 * ports, identities and mTLS modes behind each service port.
 */
import type { OutboundDestinationIR, OutboundPortIR, OutboundServiceIR, ProxyIR } from '../ir/index.js';
import type { Service, ServicePort, Workload } from '../provider/snapshot.js';
import { objectKey } from './coverage.js';
import { compareStrings, sortedUnique } from './sort.js';

/** Inputs of the outbound computation. */
export interface OutboundInput {
  services: readonly Service[];
  workloads: readonly Workload[];
  /** Proxies by key, with their inbound ports already built. */
  proxies: ReadonlyMap<string, ProxyIR>;
  /** Cluster DNS domain, e.g. `cluster.local`. */
  clusterDomain: string;
}

function selects(
  selector: Readonly<Record<string, string>>,
  labels: Readonly<Record<string, string>>,
): boolean {
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

/** The container port a service port targets on one workload, if that workload exposes it. */
function targetPort(port: ServicePort, workload: Workload): number | undefined {
  const found =
    typeof port.targetPort === 'number'
      ? workload.ports.find((p) => p.port === port.targetPort)
      : workload.ports.find((p) => p.name === port.targetPort);
  return found?.protocol.toUpperCase() === 'TCP' ? found.port : undefined;
}

function destination(port: ServicePort, workload: Workload, input: OutboundInput): OutboundDestinationIR[] {
  const target = targetPort(port, workload);
  const proxy = input.proxies.get(objectKey(workload));
  if (target === undefined || proxy === undefined) return [];
  const inbound = proxy.ports.find((p) => p.port === target);
  const mtls = inbound?.enforce.mtls ?? 'STRICT';
  const out: OutboundDestinationIR = {
    workload: proxy.key,
    targetPort: target,
    identity: proxy.identity,
    mtls,
  };
  if (workload.addresses !== undefined) out.addresses = workload.addresses;
  return [out];
}

function outboundPort(port: ServicePort, behind: readonly Workload[], input: OutboundInput): OutboundPortIR {
  const destinations = behind
    .flatMap((w) => destination(port, w, input))
    .sort((a, b) => compareStrings(a.workload, b.workload));
  const out: OutboundPortIR = {
    port: port.port,
    destinations,
    tls: destinations.length === 0 || destinations.some((d) => d.mtls !== 'DISABLE'),
    identities: sortedUnique(destinations.map((d) => d.identity)),
  };
  if (port.name !== undefined) out.name = port.name;
  return out;
}

/** The workloads of each namespace by label (`key\0value`), in input order: candidates for a selector. */
class LabelIndex {
  private readonly byLabel = new Map<string, Workload[]>();

  constructor(workloads: readonly Workload[]) {
    for (const w of workloads) {
      for (const [k, v] of Object.entries(w.labels)) {
        const key = `${w.namespace}\0${k}\0${v}`;
        const list = this.byLabel.get(key);
        if (list === undefined) this.byLabel.set(key, [w]);
        else list.push(w);
      }
    }
  }

  /** The workloads of `namespace` the (non-empty) selector matches, in input order. */
  matching(namespace: string, selector: Readonly<Record<string, string>>): Workload[] {
    const [first] = Object.entries(selector);
    if (first === undefined) return [];
    const candidates = this.byLabel.get(`${namespace}\0${first[0]}\0${first[1]}`) ?? [];
    return candidates.filter((w) => selects(selector, w.labels));
  }
}

/** One meshed service, given the workloads behind it (see {@link outboundServices}). */
export function outboundService(
  service: Service,
  behind: readonly Workload[],
  input: OutboundInput,
): OutboundServiceIR {
  const ports = service.ports
    .filter((p) => p.protocol.toUpperCase() === 'TCP')
    .sort((a, b) => a.port - b.port)
    .map((p) => outboundPort(p, behind, input));
  return {
    key: objectKey(service),
    host: `${service.name}.${service.namespace}.svc.${input.clusterDomain}`,
    ports,
  };
}

/**
 * Computes (or remembers) one service's outbound IR, and the list of all of them; see OutboundMemo in
 * outbound-memo.ts. A translation without memo computes every service.
 */
export interface OutboundCache {
  /** The previous translation's list, when nothing it was computed from changed; else undefined. */
  unchanged(input: OutboundInput): OutboundServiceIR[] | undefined;
  /** The IR of `service` with the workloads behind it. */
  service(service: Service, behind: readonly Workload[], input: OutboundInput): OutboundServiceIR;
  /** The sorted list of this translation (the previous list object when its elements are the same). */
  list(services: OutboundServiceIR[], input: OutboundInput): OutboundServiceIR[];
}

/** Every meshed service (a selector matching at least one workload), sorted by key. */
export function outboundServices(input: OutboundInput, cache?: OutboundCache): OutboundServiceIR[] {
  const unchanged = cache?.unchanged(input);
  if (unchanged !== undefined) return unchanged;
  const index = new LabelIndex(input.workloads);
  const services: OutboundServiceIR[] = [];
  for (const service of input.services) {
    // A service without selector (or with an empty one) selects nothing here.
    const behind = index.matching(service.namespace, service.selector ?? {});
    if (behind.length === 0) continue;
    services.push(cache?.service(service, behind, input) ?? outboundService(service, behind, input));
  }
  const sorted = services.sort((a, b) => compareStrings(a.key, b.key));
  return cache?.list(sorted, input) ?? sorted;
}
