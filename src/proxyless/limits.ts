/**
 * The translator's proxyless step: on a proxyless gRPC workload, every port covered by a policy that needs a feature
 * gRPC cannot enforce fails closed (a `failClosed` entry with reason `UnsupportedByDataPlane`), and the policy's
 * status says so (condition Programmed=False, reason UnsupportedByDataPlane, naming the features and workloads).
 * Nothing is silently dropped: what cannot be enforced denies. Pure.
 */
import type { FailClosedIR, ProxyIR } from '../ir/index.js';
import type { PolicyEntry } from '../translate/policy-entry.js';
import type { ConditionIR, PolicyStatus } from '../translate/status.js';
import { ConditionType, Reason } from '../translate/status.js';
import { unsupportedFeatures } from './unsupported.js';
import type { UnsupportedFeatureName } from './unsupported.js';

/** One policy that cannot be enforced on one proxyless workload. */
export interface UnsupportedFinding {
  /** `<namespace>/<name>` of the policy. */
  policy: string;
  /** `<namespace>/<name>` of the proxyless workload. */
  workload: string;
  /** What it cannot enforce, in UnsupportedFeature order. */
  features: UnsupportedFeatureName[];
}

function byPolicy(a: FailClosedIR, b: FailClosedIR): number {
  return a.policy < b.policy ? -1 : a.policy > b.policy ? 1 : 0;
}

/** The findings on one proxyless proxy; adds `UnsupportedByDataPlane` fail-closed entries to the ports concerned. */
function limitProxy(proxy: ProxyIR, entries: readonly PolicyEntry[]): UnsupportedFinding[] {
  const findings: UnsupportedFinding[] = [];
  for (const entry of entries) {
    const ports = entry.coverage.get(proxy.key);
    if (entry.compiled === undefined || ports === undefined || ports.length === 0) continue;
    const features = unsupportedFeatures(entry.compiled.set, entry.compiled.mode);
    if (features.length === 0) continue;
    findings.push({ policy: entry.key, workload: proxy.key, features });
    for (const port of proxy.ports.filter((p) => ports.includes(p.port))) {
      port.failClosed = [
        ...port.failClosed,
        { policy: entry.key, reason: Reason.UnsupportedByDataPlane },
      ].sort(byPolicy);
    }
  }
  return findings;
}

/**
 * Applies the proxyless limits to the freshly built `proxies` (mutating their ports' `failClosed`), given every
 * prepared policy; returns what was found, sorted by policy then workload. Envoy proxies are left alone.
 */
export function applyProxylessLimits(
  proxies: readonly ProxyIR[],
  entries: readonly PolicyEntry[],
): UnsupportedFinding[] {
  const findings = proxies
    .filter((p) => p.workload.proxyless === true)
    .flatMap((p) => limitProxy(p, entries));
  return findings.sort((a, b) =>
    a.policy === b.policy ? (a.workload < b.workload ? -1 : 1) : a.policy < b.policy ? -1 : 1,
  );
}

/** The Programmed=False condition of one policy's findings. */
function unsupportedCondition(findings: readonly UnsupportedFinding[]): ConditionIR {
  const parts = findings.map((f) => `${f.workload} cannot enforce ${f.features.join(', ')}`);
  return {
    type: ConditionType.Programmed,
    status: 'False',
    reason: Reason.UnsupportedByDataPlane,
    message: `proxyless gRPC workload ${parts.join('; ')}: requests to the ports this policy covers there are denied`,
  };
}

/** The statuses with a Programmed=False UnsupportedByDataPlane condition on each policy that has findings. */
export function withUnsupportedStatus(
  statuses: readonly PolicyStatus[],
  findings: readonly UnsupportedFinding[],
): PolicyStatus[] {
  return statuses.map((status) => {
    const key = `${status.namespace}/${status.name}`;
    const mine = findings.filter((f) => f.policy === key);
    if (mine.length === 0) return status;
    const conditions = [
      ...status.conditions.filter((c) => c.type !== ConditionType.Programmed),
      unsupportedCondition(mine),
    ];
    return {
      ...status,
      conditions: conditions.sort((a, b) => (a.type < b.type ? -1 : a.type > b.type ? 1 : 0)),
    };
  });
}
