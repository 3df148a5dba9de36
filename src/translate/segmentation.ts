/** L4 segmentation: a policy's allowed peers resolved to SPIFFE IDs, and the merge over several policies. */
import type { ApiSecurityPolicy, Segmentation } from '../api/v1alpha1/types.js';
import type { SegmentationIR } from '../ir/index.js';
import type { CompileContext, CompiledPolicy } from './compiled.js';
import { spiffeId } from './match.js';
import { selectorMatches } from './select.js';
import { SnapshotIndex } from './snapshot-index.js';
import type { SnapshotReader } from './snapshot-index.js';
import { sortedUnique } from './sort.js';

type Peer = Segmentation['allowFrom'][number];

/** Namespaces a peer entry selects: by namespaceSelector over Namespace labels, or the policy's own namespace. */
function peerNamespaces(peer: Peer, ctx: CompileContext, reader: SnapshotReader): Set<string> {
  const selector = peer.namespaceSelector;
  if (selector === undefined) return new Set([ctx.namespace]);
  const matching = reader.namespaces().filter((ns) => selectorMatches(selector, ns.labels));
  return new Set(matching.map((ns) => ns.name));
}

/** SPIFFE IDs of every workload a peer entry selects (podSelector omitted: every workload of the namespaces). */
function peerIds(peer: Peer, ctx: CompileContext, reader: SnapshotReader): string[] {
  const pods = peer.podSelector;
  return [...peerNamespaces(peer, ctx, reader)]
    .flatMap((namespace) => reader.workloadsIn(namespace))
    .filter((w) => pods === undefined || selectorMatches(pods, w.labels))
    .map((w) => spiffeId(ctx.trustDomain, w.namespace, w.serviceAccount));
}

/** A policy's segmentation as IR, or undefined when it does not restrict who may connect. */
export function compileSegmentation(
  policy: ApiSecurityPolicy,
  ctx: CompileContext,
): SegmentationIR | undefined {
  const seg = policy.spec.segmentation;
  if (seg === undefined) return undefined;
  const reader = ctx.reader ?? new SnapshotIndex(ctx.snapshot);
  return {
    allowedPrincipals: sortedUnique(seg.allowFrom.flatMap((peer) => peerIds(peer, ctx, reader))),
    policies: [ctx.key],
  };
}

/** Segmentation of several policies: only peers every configuring policy allows (the intersection). */
export function mergeSegmentation(policies: readonly CompiledPolicy[]): SegmentationIR | undefined {
  const configured = policies.flatMap((p) => (p.set.segmentation === undefined ? [] : [p.set.segmentation]));
  if (configured.length === 0) return undefined;
  const allowed = configured
    .map((s) => s.allowedPrincipals)
    .reduce((acc, ids) => acc.filter((id) => ids.includes(id)));
  return { allowedPrincipals: allowed, policies: sortedUnique(configured.flatMap((s) => s.policies)) };
}
