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

/** Every meshed service (a selector matching at least one workload), sorted by key. */
export function outboundServices(input: OutboundInput): OutboundServiceIR[] {
  const services: OutboundServiceIR[] = [];
  for (const service of input.services) {
    const selector = service.selector;
    if (selector === undefined || Object.keys(selector).length === 0) continue;
    const behind = input.workloads.filter(
      (w) => w.namespace === service.namespace && selects(selector, w.labels),
    );
    if (behind.length === 0) continue;
    const ports = service.ports
      .filter((p) => p.protocol.toUpperCase() === 'TCP')
      .sort((a, b) => a.port - b.port)
      .map((p) => outboundPort(p, behind, input));
    services.push({
      key: objectKey(service),
      host: `${service.name}.${service.namespace}.svc.${input.clusterDomain}`,
      ports,
    });
  }
  return services.sort((a, b) => compareStrings(a.key, b.key));
}
