/**
 * What a proxyless gRPC pod needs from the injector (no Envoy): the pure function the webhook's injection hook calls
 * for pods annotated `aspen.dev/proxyless: "true"`. It returns additions in Kubernetes JSON; the injector merges
 * them into the pod (appends volumes and init containers, adds the env and mount to every application container).
 *
 * - Volume `aspen-grpc` (memory emptyDir) holding `bootstrap.json`, `cert.pem`, `key.pem`, `ca.pem`; mounted
 *   read-only into application containers at {@link DEFAULT_PROXYLESS_DIR}.
 * - `GRPC_XDS_BOOTSTRAP` pointing at the bootstrap, and `GRPC_XDS_EXPERIMENTAL_RBAC=true` (grpc-js-xds enforces RBAC
 *   only with it; other gRPC languages ignore it).
 * - Init container `aspen-grpc-init` (`aspen bootstrap --proxyless --out-dir …`): the first bootstrap and certificate
 *   files before the application starts; then native sidecar `aspen-grpc-agent` (`--refresh`) renewing them.
 *   Both authenticate to aspen with a projected ServiceAccount token (audience `aspen`, volume `aspen-token`) and
 *   verify aspen with the trust bundle volume (the same the Envoy sidecar gets), and fetch the certificates over
 *   aspen's SDS.
 */
import { DEFAULT_TOKEN_PATH, DEFAULT_TRUST_BUNDLE_PATH, DEFAULT_XDS_ADDRESS } from '../xds/sds/bootstrap.js';
import { DEFAULT_PROXYLESS_DIR, ProxylessFiles } from './bootstrap.js';

/** A Kubernetes JSON object (volume, container, env var, mount), as the injector's patch carries it. */
export type KubeObject = Record<string, unknown>;

/** Name of the volume holding the bootstrap and certificate files. */
export const PROXYLESS_VOLUME = 'aspen-grpc';
/** Name of the projected token volume. */
export const TOKEN_VOLUME = 'aspen-token';
/** Name of the trust bundle volume. */
export const TRUST_BUNDLE_VOLUME = 'aspen-trust-bundle';
/** Lifetime requested for the projected token. */
const TOKEN_SECONDS = 3600;

/** What the injector knows about the pod and aspen. */
export interface ProxylessInjectionInput {
  /** Pod namespace. */
  readonly namespace: string;
  /** Workload name (`node.cluster` is `<namespace>/<workload>`). */
  readonly workload: string;
  /** The pod's service account (its SPIFFE identity). */
  readonly serviceAccount: string;
  /** aspen's container image (the same binary runs the agent). */
  readonly image: string;
  /** aspen's xDS address; default `aspen.aspen-system.svc:15010`. */
  readonly xdsAddress?: string;
  /** The trust bundle volume source (default: ConfigMap `aspen-trust-bundle`, key `trust-bundle.pem`). */
  readonly trustBundleSource?: KubeObject;
}

/** The additions to a proxyless pod. */
export interface ProxylessInjection {
  /** Appended to `spec.volumes`. */
  readonly volumes: KubeObject[];
  /** Appended to `spec.initContainers`, in this order. */
  readonly initContainers: KubeObject[];
  /** Added to every application container's `env` (replacing entries of the same name). */
  readonly env: KubeObject[];
  /** Added to every application container's `volumeMounts`. */
  readonly volumeMounts: KubeObject[];
}

function dirOf(path: string): string {
  return path.slice(0, path.lastIndexOf('/'));
}

function agentArgs(input: ProxylessInjectionInput): string[] {
  return [
    'bootstrap',
    '--proxyless',
    `--workload=${input.namespace}/${input.workload}`,
    '--pod=$(POD_NAME)',
    `--service-account=${input.serviceAccount}`,
    `--xds-address=${input.xdsAddress ?? DEFAULT_XDS_ADDRESS}`,
    `--out-dir=${DEFAULT_PROXYLESS_DIR}`,
    `--trust-bundle=${DEFAULT_TRUST_BUNDLE_PATH}`,
    `--token-path=${DEFAULT_TOKEN_PATH}`,
  ];
}

function agentContainer(name: string, input: ProxylessInjectionInput, refresh: boolean): KubeObject {
  return {
    name,
    image: input.image,
    args: refresh ? [...agentArgs(input), '--refresh'] : agentArgs(input),
    ...(refresh ? { restartPolicy: 'Always' } : {}),
    env: [{ name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
    volumeMounts: [
      { name: PROXYLESS_VOLUME, mountPath: DEFAULT_PROXYLESS_DIR },
      { name: TOKEN_VOLUME, mountPath: dirOf(DEFAULT_TOKEN_PATH), readOnly: true },
      { name: TRUST_BUNDLE_VOLUME, mountPath: dirOf(DEFAULT_TRUST_BUNDLE_PATH), readOnly: true },
    ],
    securityContext: {
      runAsNonRoot: true,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    },
    resources: { requests: { cpu: '10m', memory: '32Mi' }, limits: { memory: '64Mi' } },
  };
}

/** The additions a proxyless gRPC pod needs (see the module comment). Pure. */
export function proxylessInjection(input: ProxylessInjectionInput): ProxylessInjection {
  const tokenFile = DEFAULT_TOKEN_PATH.slice(DEFAULT_TOKEN_PATH.lastIndexOf('/') + 1);
  const bundleFile = DEFAULT_TRUST_BUNDLE_PATH.slice(DEFAULT_TRUST_BUNDLE_PATH.lastIndexOf('/') + 1);
  return {
    volumes: [
      { name: PROXYLESS_VOLUME, emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } },
      {
        name: TOKEN_VOLUME,
        projected: {
          sources: [
            { serviceAccountToken: { audience: 'aspen', expirationSeconds: TOKEN_SECONDS, path: tokenFile } },
          ],
        },
      },
      {
        name: TRUST_BUNDLE_VOLUME,
        ...(input.trustBundleSource ?? {
          configMap: { name: 'aspen-trust-bundle', items: [{ key: bundleFile, path: bundleFile }] },
        }),
      },
    ],
    initContainers: [
      agentContainer('aspen-grpc-init', input, false),
      agentContainer('aspen-grpc-agent', input, true),
    ],
    env: [
      { name: 'GRPC_XDS_BOOTSTRAP', value: `${DEFAULT_PROXYLESS_DIR}/${ProxylessFiles.bootstrap}` },
      { name: 'GRPC_XDS_EXPERIMENTAL_RBAC', value: 'true' },
    ],
    volumeMounts: [{ name: PROXYLESS_VOLUME, mountPath: DEFAULT_PROXYLESS_DIR, readOnly: true }],
  };
}
