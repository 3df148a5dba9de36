/** Building one workload's ProxyIR from the policies covering its ports. */
import type { FailClosedIR, PolicySetIR, PortIR, ProxyIR } from '../ir/index.js';
import type { Workload, WorkloadPort } from '../provider/snapshot.js';
import type { CompiledPolicy, Merged } from './compiled.js';
import type { Conflict } from './conflict.js';
import type { PolicyEntry } from './policy-entry.js';
import { isProxyless } from '../proxyless/annotations.js';
import { accessLog } from './access-log.js';
import { objectKey, tcpPorts } from './coverage.js';
import { spiffeId } from './match.js';
import { allowAll, meshDefaults, mergePolicies } from './merge.js';
import { compareStrings, sortedUnique } from './sort.js';

/** A proxy and the conflicts met while merging policies on its ports. */
export interface BuiltProxy {
  /** The proxy's IR. */
  proxy: ProxyIR;
  /** Conflicts between policies on its ports (possibly repeated across ports). */
  conflicts: Conflict[];
}

/** The settings one port enforces and audits. */
interface PortSets {
  enforce: PolicySetIR;
  audit?: PolicySetIR;
  conflicts: Conflict[];
}

function mergeIfAny(policies: readonly CompiledPolicy[]): Merged<PolicySetIR> | undefined {
  return policies.length > 0 ? mergePolicies(policies) : undefined;
}

/** Enforce-mode policies merged (or mesh defaults, or allow-all under Audit only); Audit-mode ones merged apart. */
function portSets(policies: readonly CompiledPolicy[]): PortSets {
  const enforce = mergeIfAny(policies.filter((p) => p.mode === 'Enforce'));
  const audit = mergeIfAny(policies.filter((p) => p.mode === 'Audit'));
  const conflicts = [...(enforce?.conflicts ?? []), ...(audit?.conflicts ?? [])];
  if (audit === undefined) return { enforce: enforce?.value ?? meshDefaults(), conflicts };
  return { enforce: enforce?.value ?? allowAll(), audit: audit.value, conflicts };
}

function failClosed(covering: readonly PolicyEntry[]): FailClosedIR[] {
  return covering
    .flatMap((e) => (e.failClosed === undefined ? [] : [{ policy: e.key, reason: e.failClosed }]))
    .sort((a, b) => compareStrings(a.policy, b.policy));
}

function buildPort(
  port: WorkloadPort,
  workloadKey: string,
  entries: readonly PolicyEntry[],
): PortIR & PortSets {
  const covering = entries.filter((e) => e.coverage.get(workloadKey)?.includes(port.port) === true);
  const compiled = covering
    .flatMap((e) => (e.compiled === undefined ? [] : [e.compiled]))
    .sort((a, b) => compareStrings(a.key, b.key));
  const out: PortIR & PortSets = {
    port: port.port,
    policies: compiled.map((p) => p.key),
    ...portSets(compiled),
    accessLog: accessLog(compiled),
    failClosed: failClosed(covering),
  };
  if (port.name !== undefined) out.name = port.name;
  return out;
}

/** The proxyless flag and pod addresses of a workload, only when set (Envoy workloads' IR is unchanged). */
function proxylessFields(workload: Workload): Pick<ProxyIR['workload'], 'proxyless' | 'addresses'> {
  return {
    ...(isProxyless(workload.annotations) ? { proxyless: true as const } : {}),
    ...(workload.addresses === undefined ? {} : { addresses: workload.addresses }),
  };
}

/** The ProxyIR of one workload: one PortIR per TCP container port, given every prepared policy. */
export function buildProxy(
  workload: Workload,
  entries: readonly PolicyEntry[],
  trustDomain: string,
): BuiltProxy {
  const key = objectKey(workload);
  const conflicts: Conflict[] = [];
  const ports = tcpPorts(workload).map((p) => {
    const { conflicts: found, ...port } = buildPort(p, key, entries);
    conflicts.push(...found);
    return port;
  });
  const selecting = entries.filter((e) => e.compiled !== undefined && e.coverage.has(key));
  const proxy: ProxyIR = {
    key,
    workload: {
      namespace: workload.namespace,
      name: workload.name,
      kind: workload.kind,
      serviceAccount: workload.serviceAccount,
      ...proxylessFields(workload),
    },
    identity: spiffeId(trustDomain, workload.namespace, workload.serviceAccount),
    policies: sortedUnique(selecting.map((e) => e.key)),
    ports,
    outbound: [],
  };
  return { proxy, conflicts };
}
