/**
 * The Envoy sidecar container and its volumes. The bootstrap and the trust bundle reach the container as files of a
 * downward-API volume fed by pod annotations (ADR 0018): no ConfigMap per namespace, no extra RBAC, and the controller
 * can refresh the trust bundle of a running pod by re-annotating it (the kubelet rewrites the files). The xDS
 * credential is a projected ServiceAccount token with audience `aspen`.
 */
import { basename, dirname } from 'node:path/posix';
import type { V1Container, V1Probe, V1SecurityContext, V1Volume } from '@kubernetes/client-node';
import { SIDECAR_STATS_PORT } from '../../xds/sds/bootstrap.js';
import { BOOTSTRAP, TRUST_BUNDLE } from './annotations.js';
import { READY_PATH } from './bootstrap.js';
import { HEALTH_PORT } from './redirect.js';
import type { InjectionSettings } from './settings.js';

/** Name of the proxy container. */
export const PROXY_CONTAINER = 'aspen-proxy';
/** Volume with the bootstrap and the trust bundle (downward API). */
export const CONFIG_VOLUME = 'aspen-config';
/** Volume with the projected ServiceAccount token. */
export const TOKEN_VOLUME = 'aspen-token';
/** Audience of the projected token (what aspen's TokenReview asks for). */
export const TOKEN_AUDIENCE = 'aspen';
/** Lifetime the kubelet is asked for; it rotates the token at 80 %. */
export const TOKEN_EXPIRATION_SECONDS = 3600;
/** File name of the bootstrap in the config volume (next to the trust bundle). */
export const BOOTSTRAP_FILE = 'bootstrap.json';

/** The volumes the proxy mounts. */
export function sidecarVolumes(settings: InjectionSettings): V1Volume[] {
  return [
    {
      name: CONFIG_VOLUME,
      downwardAPI: {
        items: [
          { path: BOOTSTRAP_FILE, fieldRef: { fieldPath: `metadata.annotations['${BOOTSTRAP}']` } },
          {
            path: basename(settings.trustBundlePath),
            fieldRef: { fieldPath: `metadata.annotations['${TRUST_BUNDLE}']` },
          },
        ],
      },
    },
    {
      name: TOKEN_VOLUME,
      projected: {
        sources: [
          {
            serviceAccountToken: {
              audience: TOKEN_AUDIENCE,
              expirationSeconds: TOKEN_EXPIRATION_SECONDS,
              path: basename(settings.tokenPath),
            },
          },
        ],
      },
    },
  ];
}

function restrictedContext(uid: number): V1SecurityContext {
  return {
    runAsUser: uid,
    runAsGroup: uid,
    runAsNonRoot: true,
    readOnlyRootFilesystem: true,
    allowPrivilegeEscalation: false,
    privileged: false,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

function readyProbe(periodSeconds: number, failureThreshold: number): V1Probe {
  return {
    httpGet: { path: READY_PATH, port: HEALTH_PORT, scheme: 'HTTP' },
    periodSeconds,
    failureThreshold,
    timeoutSeconds: 1,
  };
}

function fieldEnv(name: string, fieldPath: string): NonNullable<V1Container['env']>[number] {
  return { name, valueFrom: { fieldRef: { fieldPath } } };
}

/**
 * The proxy container. Native mode: an init container with `restartPolicy: Always` whose startup probe holds every
 * later container until Envoy has its first configuration, and which the kubelet stops after the app (drain, Jobs
 * complete). Regular mode: the first app container, readiness-gated only.
 */
export function proxyContainer(settings: InjectionSettings): V1Container {
  const configDir = dirname(settings.trustBundlePath);
  return {
    name: PROXY_CONTAINER,
    image: settings.images.proxy,
    args: [
      '-c',
      `${configDir}/${BOOTSTRAP_FILE}`,
      '--service-node',
      '$(POD_NAMESPACE)/$(POD_NAME)',
      '--log-level',
      settings.proxyLogLevel,
      '--disable-hot-restart',
      '--drain-time-s',
      String(settings.drainSeconds),
    ],
    env: [fieldEnv('POD_NAME', 'metadata.name'), fieldEnv('POD_NAMESPACE', 'metadata.namespace')],
    ports: [
      { name: 'aspen-health', containerPort: HEALTH_PORT, protocol: 'TCP' },
      { name: 'http-envoy-prom', containerPort: SIDECAR_STATS_PORT, protocol: 'TCP' },
    ],
    readinessProbe: readyProbe(2, 3),
    ...(settings.nativeSidecars ? { restartPolicy: 'Always', startupProbe: readyProbe(1, 600) } : {}),
    resources: settings.proxyResources,
    securityContext: restrictedContext(settings.proxyUid),
    volumeMounts: [
      { name: CONFIG_VOLUME, mountPath: configDir, readOnly: true },
      { name: TOKEN_VOLUME, mountPath: dirname(settings.tokenPath), readOnly: true },
    ],
  };
}
