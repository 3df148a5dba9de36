/**
 * Whether the cluster runs native sidecars (init containers with `restartPolicy: Always`: beta and on by default
 * from Kubernetes 1.29, GA in 1.33), from the API server's `/version`. The controller reads it once at start and
 * passes `injection.nativeSidecars` to `startWebhooks`.
 */
import { VersionApi } from '@kubernetes/client-node';
import type { KubeConfig } from '@kubernetes/client-node';

/** The first minor version with native sidecars on by default. */
export const NATIVE_SIDECARS_MINOR = 29;

/** True for `major` 1 and `minor` ≥ 29 (providers write minors like `29+`); false when unreadable. */
export function nativeSidecarsFromVersion(version: {
  readonly major: string;
  readonly minor: string;
}): boolean {
  const major = Number.parseInt(version.major, 10);
  const minor = Number.parseInt(version.minor, 10);
  return major > 1 || (major === 1 && minor >= NATIVE_SIDECARS_MINOR);
}

/** Asks the API server (GET /version). */
export async function serverHasNativeSidecars(kubeConfig: KubeConfig): Promise<boolean> {
  const version = await kubeConfig.makeApiClient(VersionApi).getCode();
  return nativeSidecarsFromVersion(version);
}
