/**
 * The leader-only extension keeping Secret `aspen-dataplane-tls` current (see dataplane-tls.ts): it starts the
 * {@link DataplaneTlsKeeper} when this replica becomes leader and stops it when leadership is lost or on shutdown.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { kubeWebhookClient } from '../webhook/kube/client-node.js';
import { DataplaneTlsKeeper } from './dataplane-tls.js';
import type { SecretClient } from './dataplane-tls.js';
import type { ControllerExtension, ExtensionFactory } from './extension.js';

/** Settings of {@link dataplaneTlsExtension} (all optional). */
export interface DataplaneTlsExtensionSettings {
  /** Secret access; default client-node over the controller's kubeconfig. */
  readonly client?: (kubeConfig: KubeConfig) => SecretClient;
  /** Lifetime of issued certificates; default the workload CA's SVID lifetime. */
  readonly ttlMs?: number;
  /** Longest time between checks; default 10 minutes. */
  readonly maxCheckMs?: number;
}

/** The extension factory; see the module comment. */
export function dataplaneTlsExtension(settings: DataplaneTlsExtensionSettings = {}): ExtensionFactory {
  return (context): ControllerExtension => {
    const keeper = new DataplaneTlsKeeper({
      client: (settings.client ?? kubeWebhookClient)(context.kubeConfig),
      ca: context.ca,
      namespace: context.namespace,
      trustDomain: context.trustDomain,
      isLeader: () => context.isLeader(),
      clock: context.clock,
      timers: context.timers,
      logger: context.logger.child({ component: 'dataplane-tls' }),
      ...(settings.ttlMs === undefined ? {} : { ttlMs: settings.ttlMs }),
      ...(settings.maxCheckMs === undefined ? {} : { maxCheckMs: settings.maxCheckMs }),
    });
    context.onLeadership(
      () => keeper.startedLeading(),
      () => keeper.stoppedLeading(),
    );
    return { name: 'dataplane-tls', stop: () => keeper.stoppedLeading() };
  };
}
