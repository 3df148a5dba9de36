/**
 * The `/inject` review: a Pod CREATE goes through the pure injector with its namespace's labels; the answer carries
 * the patch and warnings. Anything but a Pod is refused (the webhook configuration only sends pods, so another kind
 * means a misconfiguration). A namespace that cannot be read refuses the pod (the injection webhook fails closed).
 */
import type { Logger } from '../../xds/server/types.js';
import { injectPod } from '../inject/inject.js';
import { isExcludedNamespace, type InjectionSettings } from '../inject/settings.js';
import type { Pod } from '../inject/types.js';
import { allow, deny, type AdmissionRequest, type AdmissionResponse } from './review.js';

/** What the `/inject` review needs. */
export interface InjectReviewDeps {
  /** Current settings (the trust bundle changes when the workload CA rotates). */
  readonly settings: () => InjectionSettings;
  /** Labels of a namespace; undefined when it does not exist; throws when it cannot be read. */
  readonly namespaceLabels: (name: string) => Promise<Readonly<Record<string, string>> | undefined>;
  /** Logger. */
  readonly logger: Logger;
}

function isPod(request: AdmissionRequest): boolean {
  return request.kind.group === '' && request.kind.version === 'v1' && request.kind.kind === 'Pod';
}

async function labelsOf(
  deps: InjectReviewDeps,
  namespace: string,
): Promise<Readonly<Record<string, string>> | Error> {
  try {
    return (await deps.namespaceLabels(namespace)) ?? {};
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}

function precheck(request: AdmissionRequest): AdmissionResponse | undefined {
  const { uid, kind } = request;
  if (!isPod(request)) {
    const got = `${kind.group === '' ? 'core' : kind.group}/${kind.version} ${kind.kind}`;
    return deny(uid, {
      code: 400,
      reason: 'BadRequest',
      message: `aspen injector: expected a v1 Pod, got ${got}`,
    });
  }
  if (request.operation !== 'CREATE') return allow(uid);
  if (request.object === undefined) {
    return deny(uid, { code: 400, reason: 'BadRequest', message: 'aspen injector: the request has no pod' });
  }
  return undefined;
}

function podName(pod: Pod): string {
  const metadata = pod.metadata ?? {};
  return metadata.name ?? metadata.generateName ?? '';
}

/** Answers one `/inject` review. */
export async function reviewPod(
  request: AdmissionRequest,
  deps: InjectReviewDeps,
): Promise<AdmissionResponse> {
  const { uid, namespace } = request;
  const early = precheck(request);
  if (early !== undefined) return early;
  const settings = deps.settings();
  if (isExcludedNamespace(settings, namespace)) return allow(uid);
  const labels = await labelsOf(deps, namespace);
  if (labels instanceof Error) {
    deps.logger.warn({ namespace, err: labels.message }, 'cannot read namespace; pod refused');
    const message = `aspen injector: cannot read namespace ${namespace}; retry shortly`;
    return deny(uid, { code: 500, reason: 'InternalError', message });
  }
  const pod = request.object as Pod;
  const result = injectPod({ pod, namespace, namespaceLabels: labels }, settings);
  const log = { namespace, pod: podName(pod) };
  if (!result.allowed) {
    deps.logger.info({ ...log, reason: result.message }, 'pod refused');
    return deny(uid, { code: 400, reason: 'BadRequest', message: result.message });
  }
  deps.logger.debug(
    { ...log, operations: result.patch.length, skipped: result.skipped ?? '' },
    'pod reviewed',
  );
  return allow(uid, result.warnings, result.patch);
}
