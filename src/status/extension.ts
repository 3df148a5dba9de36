/**
 * Status reporting as an `aspen controller` extension (src/controller/extension.ts): add
 * `statusExtension()` to the controller's `extensions`. It feeds the sync tracker from the xDS events, records every
 * rebuild (BuildReport.translation) in the publish ledger, follows leadership, and starts/stops the report publisher
 * and collector, the status writer and the NetworkPolicy reconciler (see reporting.ts).
 *
 * From each BuildReport it needs `translation.statuses` and `translation.proxies`; when the runner also passes
 * `translation.policies` (translate()'s valid, defaulted policies) and `translation.failed` (proxy keys whose build
 * failed and kept their previous snapshot) they are used; otherwise the valid policies are validated again from the
 * provider's stored ApiSecurityPolicies and failed proxies are read from the check problems (`<proxy>: <problem>`).
 */
import { API_GROUP_VERSION, POLICY_KIND } from '../api/group.js';
import type { ApiSecurityPolicy } from '../api/v1alpha1/types.js';
import type { ControllerContext, ControllerExtension, ExtensionFactory } from '../controller/extension.js';
import type { EnvoyVersionRange } from '../serve/envoy-version.js';
import type { BuildReport } from '../serve/runner.js';
import { validatePolicy } from '../translate/validate/index.js';
import { StatusReporting } from './reporting.js';

/** Settings of the status extension (all optional). */
export interface StatusExtensionSettings {
  /** Supported Envoy range (default 1.36–1.40). */
  envoyRange?: EnvoyVersionRange;
  /** Sync report heartbeat (default 10 s). */
  reportHeartbeatMs?: number;
  /** Whether to manage segmentation NetworkPolicies (default true). */
  networkPolicies?: boolean;
}

/** What a BuildReport's translation may carry beyond statuses and proxies. */
type Translation = NonNullable<BuildReport['translation']> & {
  policies?: readonly ApiSecurityPolicy[];
  failed?: readonly string[];
};

/** Proxy keys whose build failed, from `<proxy>: <problem>` check problems. */
export function failedFromProblems(report: BuildReport): string[] {
  if (report.status.outcome !== 'check_error') return [];
  const keys = report.status.problems.map((p) => p.slice(0, Math.max(0, p.indexOf(': '))));
  return [...new Set(keys.filter((k) => k.includes('/')))].sort();
}

/** The valid, defaulted policies of the provider's store (the same validator translate uses). */
function storedPolicies(context: ControllerContext): ApiSecurityPolicy[] {
  return context.source.store('policies').flatMap((raw) => {
    const object = { apiVersion: API_GROUP_VERSION, kind: POLICY_KIND, ...raw };
    const validation = validatePolicy(object);
    return validation.policy === undefined || validation.problems.length > 0 ? [] : [validation.policy];
  });
}

/** The status extension factory; see the module comment. */
export function statusExtension(settings: StatusExtensionSettings = {}): ExtensionFactory {
  return (context): ControllerExtension => {
    const reporting = new StatusReporting({
      kubeConfig: context.kubeConfig,
      namespace: context.namespace,
      replicaId: context.replicaId,
      isLeader: () => context.isLeader(),
      clock: context.clock,
      timers: context.timers,
      logger: context.logger,
      ...settings,
    });
    context.onLeadership(
      () => reporting.startedLeading(),
      () => reporting.stoppedLeading(),
    );
    return {
      name: 'status',
      events: reporting.xdsEvents(),
      onBuilt(report: BuildReport): void {
        const translation: Translation | undefined = report.translation;
        if (translation === undefined) return;
        reporting.published({
          proxies: translation.proxies,
          statuses: translation.statuses,
          policies: translation.policies ?? storedPolicies(context),
          failed: (translation.failed ?? failedFromProblems(report)).map((proxyKey) => ({ proxyKey })),
          removed: report.removed,
          cache: context.cache,
        });
      },
      start: () => reporting.start(),
      stop: () => reporting.stop(),
    };
  };
}
