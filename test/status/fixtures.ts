/** Shared fixtures of the status tests: streams, publish records and translator statuses. */
import type { PublishRecord } from '../../src/status/ledger.js';
import type { ConditionIR, PolicyStatus } from '../../src/translate/status.js';
import { TypeUrl } from '../../src/xds/translate/resources.js';
import type { StreamInfo } from '../../src/xds/server/types.js';

/** Listener, routes and clusters type URLs. */
export const LDS = TypeUrl.Listener;
export const RDS = TypeUrl.RouteConfiguration;
export const CDS = TypeUrl.Cluster;
export const EDS = TypeUrl.ClusterLoadAssignment;

let nextStream = 1;

/** A stream of proxy `nodeId` (`<ns>/<pod>`) for proxy key `proxyKey`. */
export function stream(proxyKey: string, nodeId: string, userAgent = 'envoy/1.38.0'): StreamInfo {
  nextStream += 1;
  return { streamId: nextStream, proxyKey, nodeId, peer: '127.0.0.1:1', userAgent };
}

/** A publish of one proxy key carrying `policies` (key → generation), with Listener/Cluster/EDS versions. */
export function published(
  proxyKey: string,
  policies: Record<string, number>,
  versions: { lds: string; cds?: string; eds?: string },
): PublishRecord {
  const v = new Map([
    [LDS, versions.lds],
    [CDS, versions.cds ?? 'c1'],
    [EDS, versions.eds ?? 'e1'],
  ]);
  return { published: [{ proxyKey, policies: new Map(Object.entries(policies)), versions: v }], removed: [] };
}

function cond(type: string, ok: boolean, reason: string, message = reason): ConditionIR {
  return { type, status: ok ? 'True' : 'False', reason, message };
}

/** A valid policy's translator status. */
export function validStatus(key: string, generation: number, workloads: number): PolicyStatus {
  const [namespace = '', name = ''] = key.split('/');
  return {
    namespace,
    name,
    observedGeneration: generation,
    workloads,
    conditions: [
      cond('Accepted', true, 'Accepted', 'The policy is valid'),
      cond('ResolvedRefs', true, 'ResolvedRefs', 'Every reference resolves'),
      cond('Warnings', false, 'NoWarnings', 'No warnings'),
    ],
    problems: [],
  };
}

/** Resolves once `predicate` holds, checked after each turn of the event loop (real I/O); fails after 5 s. */
export async function eventually(predicate: () => boolean): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not reached within 5 s');
    await new Promise((resolve) => setImmediate(resolve));
  }
}
