/**
 * Whether a pod gets a sidecar. Order: never in aspen's own or a system namespace; never twice; the pod's
 * `aspen.dev/inject: "disabled"` wins; otherwise the pod annotation or label, or the namespace label, must say
 * `enabled`. Pods that asked but cannot be injected (host network; a run-to-completion pod without native sidecars)
 * are admitted unchanged except for an `aspen.dev/inject-skipped` annotation saying why.
 */
import { INJECT, INJECTED, PROXYLESS } from './annotations.js';
import { PROXY_CONTAINER } from './sidecar.js';
import { isExcludedNamespace, type InjectionSettings } from './settings.js';
import type { InjectionRequest, Pod } from './types.js';

/** What to do with a pod. */
export type Decision =
  | { readonly action: 'leave'; readonly reason: string }
  | { readonly action: 'skip'; readonly reason: string }
  | { readonly action: 'proxyless' }
  | { readonly action: 'envoy' };

/** True when the pod already carries aspen's mark or its proxy. */
export function isInjected(pod: Pod): boolean {
  const names = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].map((c) => c.name);
  return pod.metadata?.annotations?.[INJECTED] !== undefined || names.includes(PROXY_CONTAINER);
}

function wanted(request: InjectionRequest): boolean {
  const { pod, namespaceLabels } = request;
  return (
    pod.metadata?.annotations?.[INJECT] === 'enabled' ||
    pod.metadata?.labels?.[INJECT] === 'enabled' ||
    namespaceLabels[INJECT] === 'enabled'
  );
}

/** Pods that run to completion (Jobs, bare pods with restartPolicy Never/OnFailure). */
export function runsToCompletion(pod: Pod): boolean {
  return (pod.spec?.restartPolicy ?? 'Always') !== 'Always';
}

function skipReason(pod: Pod, settings: InjectionSettings): string | undefined {
  if (pod.spec?.hostNetwork === true) {
    return "hostNetwork: the redirect would capture the node's traffic; pod not injected";
  }
  if (
    runsToCompletion(pod) &&
    !settings.nativeSidecars &&
    pod.metadata?.annotations?.[PROXYLESS] !== 'true'
  ) {
    return 'restartPolicy is not Always and this cluster has no native sidecars: the proxy would keep the pod running';
  }
  return undefined;
}

function leaveReason(request: InjectionRequest, settings: InjectionSettings): string | undefined {
  const { pod, namespace } = request;
  if (isExcludedNamespace(settings, namespace)) return `namespace ${namespace} is never injected`;
  if (isInjected(pod)) return 'already injected';
  if (pod.metadata?.annotations?.[INJECT] === 'disabled') return `annotation ${INJECT}: disabled`;
  return wanted(request) ? undefined : 'injection not requested';
}

/** Decides what to do with a pod. Pure. */
export function decide(request: InjectionRequest, settings: InjectionSettings): Decision {
  const { pod } = request;
  const leave = leaveReason(request, settings);
  if (leave !== undefined) return { action: 'leave', reason: leave };
  const skip = skipReason(pod, settings);
  if (skip !== undefined) return { action: 'skip', reason: skip };
  return pod.metadata?.annotations?.[PROXYLESS] === 'true' ? { action: 'proxyless' } : { action: 'envoy' };
}
