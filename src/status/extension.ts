/**
 * Status reporting as an `aspen controller` extension (src/controller/extension.ts): add
 * `statusExtension()` to the controller's `extensions`. It feeds the sync tracker from the xDS events, records every
 * rebuild (BuildReport.translation) in the publish ledger, follows leadership, and starts/stops the report publisher
 * and collector, the status writer and the NetworkPolicy reconciler (see reporting.ts).
 *
 * From each BuildReport it reads `translation`: the statuses, every proxy's IR, the valid defaulted policies (for the
 * NetworkPolicies) and the proxy keys whose build failed (they keep their previous snapshot, so their new IR must not
 * be recorded against the old versions). A report without translation (a failed read, the endpoint fast path) is
 * skipped.
 */
import type { ControllerExtension, ExtensionFactory } from '../controller/extension.js';
import type { EnvoyVersionRange } from '../serve/envoy-version.js';
import type { BuildReport } from '../serve/runner.js';
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
        const { translation } = report;
        if (translation === undefined) return;
        reporting.published({
          proxies: translation.proxies,
          statuses: translation.statuses,
          ...(translation.policies === undefined ? {} : { policies: translation.policies }),
          failed: (translation.failed ?? []).map((proxyKey) => ({ proxyKey })),
          removed: report.removed,
          cache: context.cache,
        });
      },
      start: () => reporting.start(),
      stop: () => reporting.stop(),
    };
  };
}
