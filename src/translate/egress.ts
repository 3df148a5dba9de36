/**
 * Egress scoping (ADR 0035): the pod annotation `aspen.dev/egress` lists the meshed services a workload calls, so its
 * proxy receives only those services' outbound clusters and routes instead of the whole mesh's. Without the
 * annotation a workload receives every meshed service (as before). Scoping is not an access control (each
 * destination's own policy decides who may call it); it bounds what each proxy is sent, which at a few thousand
 * services is what a push, a reconnect and a rebuild cost.
 *
 * The annotation's format is in src/provider/egress.ts. An annotation with any entry aspen cannot read is ignored as a
 * whole (the workload keeps the whole mesh) and reported, so a typo never cuts a workload off by accident.
 */
import type { OutboundServiceIR, ProxyIR } from '../ir/index.js';
import { EGRESS_ANNOTATION, parseEgress } from '../provider/egress.js';
import type { EgressHost } from '../provider/egress.js';
import type { Workload } from '../provider/snapshot.js';
import { objectKey } from './coverage.js';
import { compareStrings } from './sort.js';

/**
 * Scopes the whole mesh's outbound services per workload. Workloads with the same scope (same namespace for `.`,
 * same entries) get the very same array, and an unscoped workload gets `services` itself, so the xDS stage
 * translates each distinct outbound side once.
 */
export class EgressScoper {
  private readonly byNamespace = new Map<string, OutboundServiceIR[]>();
  private readonly byKey = new Map<string, OutboundServiceIR>();
  private readonly memo = new Map<string, OutboundServiceIR[]>();
  private readonly byAnnotation = new Map<string, OutboundServiceIR[]>();

  /** `services`: every meshed service, sorted by key (outboundServices()). */
  constructor(private readonly services: OutboundServiceIR[]) {
    for (const service of services) {
      const namespace = service.key.slice(0, service.key.indexOf('/'));
      const inNamespace = this.byNamespace.get(namespace);
      if (inNamespace === undefined) this.byNamespace.set(namespace, [service]);
      else inNamespace.push(service);
      this.byKey.set(service.key, service);
    }
  }

  /** The outbound services of `workload`: those its annotation lists, or every one. */
  scopeFor(workload: Workload): OutboundServiceIR[] {
    const value = workload.annotations[EGRESS_ANNOTATION];
    if (value === undefined) return this.services;
    // Workloads of one namespace with the same annotation get the same list: parsed and resolved once.
    const byValue = `${workload.namespace}\n${value}`;
    let scoped = this.byAnnotation.get(byValue);
    if (scoped === undefined) {
      scoped = this.resolve(workload);
      this.byAnnotation.set(byValue, scoped);
    }
    return scoped;
  }

  private resolve(workload: Workload): OutboundServiceIR[] {
    const hosts = parseEgress(workload.annotations).hosts;
    if (hosts === undefined) return this.services;
    const resolved = hosts.map((h) => (h.namespace === '.' ? { ...h, namespace: workload.namespace } : h));
    if (resolved.some((h) => h.namespace === '*' && h.service === '*')) return this.services;
    const key = [...new Set(resolved.map((h) => `${h.namespace}/${h.service}`))].sort().join(',');
    let scoped = this.memo.get(key);
    if (scoped === undefined) {
      scoped = this.select(resolved);
      this.memo.set(key, scoped);
    }
    return scoped;
  }

  private select(hosts: readonly EgressHost[]): OutboundServiceIR[] {
    const picked = new Set<OutboundServiceIR>();
    for (const host of hosts) for (const service of this.matching(host)) picked.add(service);
    return [...picked].sort((a, b) => compareStrings(a.key, b.key));
  }

  private matching(host: EgressHost): readonly OutboundServiceIR[] {
    if (host.namespace === '*') return this.services.filter((s) => s.key.endsWith(`/${host.service}`));
    if (host.service === '*') return this.byNamespace.get(host.namespace) ?? [];
    const service = this.byKey.get(`${host.namespace}/${host.service}`);
    return service === undefined ? [] : [service];
  }
}

/**
 * Scopers by whole-mesh list: while the outbound side is unchanged the translate memo hands over the same list object,
 * so every scoped list is the same object as at the previous translation too (and comparing it costs nothing).
 */
const scopers = new WeakMap<readonly OutboundServiceIR[], EgressScoper>();

/** Gives every proxy its scoped outbound services (proxies are matched to `workloads` by key). */
export function scopeOutbound(
  proxies: readonly ProxyIR[],
  workloads: readonly Workload[],
  services: OutboundServiceIR[],
): void {
  let scoper = scopers.get(services);
  if (scoper === undefined) {
    scoper = new EgressScoper(services);
    scopers.set(services, scoper);
  }
  const byKey = new Map(workloads.map((w) => [objectKey(w), w]));
  for (const proxy of proxies) {
    const workload = byKey.get(proxy.key);
    proxy.outbound = workload === undefined ? services : scoper.scopeFor(workload);
  }
}
