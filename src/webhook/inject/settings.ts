/**
 * What the injector needs to know besides the pod: images, where aspen is, the trust bundle, resources, and which
 * namespaces are never touched. Plain data with defaults; the controller builds it from its flags.
 */
import type { V1ResourceRequirements } from '@kubernetes/client-node';
import { DEFAULT_TOKEN_PATH, DEFAULT_TRUST_BUNDLE_PATH } from '../../xds/sds/bootstrap.js';
import { injectProxyless } from './proxyless.js';
import type { InjectedPod, ProxylessHook } from './types.js';

/** Images of the injected containers. */
export interface InjectionImages {
  /** Envoy (official image; needs Google gRPC, ADR 0009). */
  readonly proxy: string;
  /** Runs the traffic redirect: needs `sh` and `iptables-restore` (ADR 0019). */
  readonly redirect: string;
  /** aspen itself: runs the proxyless gRPC bootstrap/certificate agent (`aspen bootstrap --proxyless`). */
  readonly aspen: string;
}

/** Everything the injector reads besides the pod and its namespace. */
export interface InjectionSettings {
  /** aspen's own namespace: never injected. */
  readonly namespace: string;
  /** More namespaces never injected (kube-system is always among them). */
  readonly excludedNamespaces: readonly string[];
  /** Images. */
  readonly images: InjectionImages;
  /** `host:port` of aspen's xDS service, default `aspen.<namespace>.svc:15010`. */
  readonly xdsAddress: string;
  /** SPIFFE trust domain (informational in the pod; identity comes from the token). */
  readonly trustDomain: string;
  /** PEM of the workload trust bundle the proxy verifies aspen's xDS certificate with. */
  readonly trustBundlePem: string;
  /** Requests and limits of the proxy container. */
  readonly proxyResources: V1ResourceRequirements;
  /** Requests and limits of the redirect init container. */
  readonly redirectResources: V1ResourceRequirements;
  /** Native sidecars (Kubernetes ≥ 1.29): init container with `restartPolicy: Always`. */
  readonly nativeSidecars: boolean;
  /** UID and GID the proxy runs as; its own traffic is never redirected. */
  readonly proxyUid: number;
  /** Envoy log level. */
  readonly proxyLogLevel: string;
  /** Seconds Envoy drains in regular-container mode (preStop sleep) before it gets SIGTERM. */
  readonly drainSeconds: number;
  /** Path of the projected ServiceAccount token inside the proxy. */
  readonly tokenPath: string;
  /** Path of the trust bundle inside the proxy. */
  readonly trustBundlePath: string;
  /** Called for pods annotated `aspen.dev/proxyless: "true"` instead of adding Envoy. */
  readonly proxyless: ProxylessHook;
}

/** Default resources of the proxy: 100m CPU and 128 MiB requested, 1 CPU and 512 MiB limit. */
export const DEFAULT_PROXY_RESOURCES: V1ResourceRequirements = {
  requests: { cpu: '100m', memory: '128Mi' },
  limits: { cpu: '1', memory: '512Mi' },
};

/** Default resources of the redirect step. */
export const DEFAULT_REDIRECT_RESOURCES: V1ResourceRequirements = {
  requests: { cpu: '10m', memory: '16Mi' },
  limits: { cpu: '100m', memory: '64Mi' },
};

/** Namespaces never injected whatever the settings say. */
export const ALWAYS_EXCLUDED_NAMESPACES: readonly string[] = [
  'kube-system',
  'kube-public',
  'kube-node-lease',
];

/** Default images (the Helm chart overrides them). */
export const DEFAULT_IMAGES: InjectionImages = {
  proxy: 'docker.io/envoyproxy/envoy:distroless-v1.36.2',
  redirect: 'ghcr.io/aspen-dev/aspen-redirect:0.1.0',
  aspen: 'ghcr.io/aspen-dev/aspen:0.1.0',
};

/** Settings with defaults for everything but the namespace-derived address and the trust bundle. */
export function injectionSettings(
  overrides: Partial<InjectionSettings> & { readonly trustBundlePem: string },
): InjectionSettings {
  const namespace = overrides.namespace ?? 'aspen-system';
  return {
    namespace,
    excludedNamespaces: [],
    images: DEFAULT_IMAGES,
    xdsAddress: `aspen.${namespace}.svc:15010`,
    trustDomain: 'cluster.local',
    proxyResources: DEFAULT_PROXY_RESOURCES,
    redirectResources: DEFAULT_REDIRECT_RESOURCES,
    nativeSidecars: true,
    proxyUid: 1337,
    proxyLogLevel: 'warning',
    drainSeconds: 5,
    tokenPath: DEFAULT_TOKEN_PATH,
    trustBundlePath: DEFAULT_TRUST_BUNDLE_PATH,
    proxyless: injectProxyless,
    ...overrides,
  };
}

/** True for kube-system and friends, aspen's own namespace and the configured exclusions. */
export function isExcludedNamespace(settings: InjectionSettings, namespace: string): boolean {
  return (
    namespace === settings.namespace ||
    ALWAYS_EXCLUDED_NAMESPACES.includes(namespace) ||
    settings.excludedNamespaces.includes(namespace)
  );
}

/** Re-exported for the hook's authors. */
export type { InjectedPod };
