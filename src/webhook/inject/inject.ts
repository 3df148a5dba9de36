/**
 * Sidecar injection as a pure function: (pod, its namespace's labels, settings) → the patched pod and the RFC 6902
 * patch that makes it, plus admission warnings. Golden-tested (test/golden/inject). The webhook server only decodes
 * the AdmissionReview, looks up the namespace labels, calls {@link injectPod} and encodes the answer.
 */
import type { V1Container } from '@kubernetes/client-node';
import {
  BOOTSTRAP,
  INJECTED,
  INJECT_SKIPPED,
  ORIGINAL_PROBES,
  TRUST_BUNDLE,
  redirectExclusions,
  type RedirectExclusions,
} from './annotations.js';
import { egressProblems } from '../../provider/egress.js';
import { sidecarBootstrap } from './bootstrap.js';
import { decide } from './decide.js';
import { diffAt } from './json-patch.js';
import { podSecurityWarning } from './pod-security.js';
import { rewriteProbes } from './probes.js';
import { redirectContainer, redirectRules } from './redirect.js';
import type { InjectionSettings } from './settings.js';
import { proxyContainer, sidecarVolumes } from './sidecar.js';
import type { InjectionRequest, InjectionResult, Pod } from './types.js';
import { workloadName } from './workload.js';

/** The paths the injector may change, parents first. */
const PATCH_PATHS: readonly (readonly string[])[] = [
  ['metadata', 'annotations'],
  ['spec', 'initContainers'],
  ['spec', 'containers'],
  ['spec', 'volumes'],
];

/** Refusal while the workload CA has no trust bundle (the injected pod could not verify aspen). */
const NO_TRUST_BUNDLE = 'aspen: no trust bundle yet (the workload CA is not ready); retry shortly';

/** Warning on clusters without native sidecars. */
export const NO_NATIVE_SIDECARS_WARNING =
  'aspen: this cluster has no native sidecars (Kubernetes < 1.29): the proxy runs as a regular container, so the ' +
  'app may start before the proxy is ready and the proxy stops with the app instead of after it';

function withAnnotations(pod: Pod, annotations: Record<string, string>): Pod {
  const metadata = pod.metadata ?? {};
  return { ...pod, metadata: { ...metadata, annotations: { ...metadata.annotations, ...annotations } } };
}

function answer(before: Pod, after: Pod, warnings: string[], skipped?: string): InjectionResult {
  return {
    allowed: true,
    patch: diffAt(before, after, PATCH_PATHS),
    pod: after,
    warnings,
    ...(skipped === undefined ? {} : { skipped }),
  };
}

function placeContainers(
  settings: InjectionSettings,
  spec: NonNullable<Pod['spec']>,
  apps: V1Container[],
  redirect: V1Container,
): { initContainers: V1Container[]; containers: V1Container[] } {
  const proxy = proxyContainer(settings);
  const inits = spec.initContainers ?? [];
  return settings.nativeSidecars
    ? { initContainers: [redirect, proxy, ...inits], containers: apps }
    : { initContainers: [redirect, ...inits], containers: [proxy, ...apps] };
}

/** An unreadable `aspen.dev/egress` does not refuse the pod (it only widens what the proxy receives): a warning. */
function egressWarnings(pod: Pod): string[] {
  return egressProblems(pod.metadata?.annotations ?? {}).map(
    (problem) =>
      `aspen: ${problem}; the annotation is ignored and this workload receives every meshed service`,
  );
}

function warningsFor(request: InjectionRequest, settings: InjectionSettings): string[] {
  return [
    podSecurityWarning(request.namespace, request.namespaceLabels),
    settings.nativeSidecars ? undefined : NO_NATIVE_SIDECARS_WARNING,
    ...egressWarnings(request.pod),
  ].filter((w): w is string => w !== undefined);
}

function checkInputs(request: InjectionRequest, settings: InjectionSettings): string | RedirectExclusions {
  const exclusions = redirectExclusions(request.pod.metadata?.annotations ?? {});
  if (!exclusions.ok) return `aspen: ${exclusions.message}`;
  if (settings.trustBundlePem.trim() === '') {
    return NO_TRUST_BUNDLE;
  }
  return exclusions.value;
}

function envoyPod(request: InjectionRequest, settings: InjectionSettings): InjectionResult {
  const { pod, namespace } = request;
  const exclusions = checkInputs(request, settings);
  if (typeof exclusions === 'string') return { allowed: false, message: exclusions };
  const spec = pod.spec ?? { containers: [] };
  const probes = rewriteProbes(spec.containers);
  const bootstrap = sidecarBootstrap({
    settings,
    namespace,
    workload: workloadName(pod),
    probes: probes.routes,
  });
  const redirect = redirectContainer(settings, redirectRules(exclusions, settings.proxyUid));
  const { initContainers, containers } = placeContainers(settings, spec, probes.containers, redirect);
  const annotated = withAnnotations(pod, {
    [INJECTED]: 'envoy',
    [BOOTSTRAP]: JSON.stringify(bootstrap),
    [TRUST_BUNDLE]: settings.trustBundlePem,
    ...(probes.routes.length === 0 ? {} : { [ORIGINAL_PROBES]: JSON.stringify(probes.originals) }),
  });
  const after: Pod = {
    ...annotated,
    spec: {
      ...spec,
      initContainers,
      containers,
      volumes: [...(spec.volumes ?? []), ...sidecarVolumes(settings)],
    },
  };
  return answer(pod, after, warningsFor(request, settings));
}

/** Injects one pod. Pure; never throws on user input (a malformed aspen annotation is a refusal naming it). */
export function injectPod(request: InjectionRequest, settings: InjectionSettings): InjectionResult {
  const { pod } = request;
  const decision = decide(request, settings);
  switch (decision.action) {
    case 'leave':
      return answer(pod, pod, [], decision.reason);
    case 'skip':
      return answer(pod, withAnnotations(pod, { [INJECT_SKIPPED]: decision.reason }), [], decision.reason);
    case 'proxyless': {
      if (settings.trustBundlePem.trim() === '') return { allowed: false, message: NO_TRUST_BUNDLE };
      const hooked = settings.proxyless(pod, { namespace: request.namespace, settings });
      return answer(pod, withAnnotations(hooked, { [INJECTED]: 'proxyless' }), egressWarnings(pod));
    }
    case 'envoy':
      return envoyPod(request, settings);
  }
}
