/**
 * The admission webhooks as an `aspen controller` extension (src/controller/extension.ts): {@link webhooksExtension}
 * starts {@link startWebhooks} beside the xDS pipeline with the controller's namespace, trust domain, workload trust
 * bundle, leadership, metrics registry, clock and timers; namespace labels come from the provider's namespace
 * informer (the API only for a namespace the informer has not seen yet) and audit warnings are computed against the
 * controller's current cluster snapshot. On becoming leader it syncs the webhook certificates (Secret
 * `aspen-webhook-tls`, caBundle patches) and runs the failure-policy self-test; `/readyz` waits for a serving
 * certificate; shutdown closes the server.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { trustBundle } from '../ca/state.js';
import { clusterSnapshot } from '../provider/kubernetes/snapshot.js';
import type { KindName } from '../provider/kubernetes/kinds.js';
import type { KubernetesSource } from '../provider/kubernetes/source.js';
import type { RawObject } from '../provider/kubernetes/transport.js';
import type { ResourceSnapshot } from '../provider/snapshot.js';
import { kubeWebhookClient, serverHasNativeSidecars, startWebhooks } from '../webhook/index.js';
import type { WebhookKubeClient, WebhookTlsOptions, Webhooks } from '../webhook/index.js';
import type { InjectionImages } from '../webhook/inject/settings.js';
import type { Logger } from '../xds/server/types.js';
import type { ControllerContext, ControllerExtension, ExtensionFactory } from './extension.js';

/** What the webhooks extension is configured with (from the `aspen controller` flags). */
export interface WebhooksExtensionSettings {
  /** `host:port` (`--webhook-listen`). */
  readonly listen: string;
  /** Serving certificate source (`--webhook-cert-source`, `--webhook-cert-dir`, `--webhook-dns-names`). */
  readonly tls: WebhookTlsOptions;
  /** Injected images (`--proxy-image`, `--redirect-image`, `--aspen-image`). */
  readonly images: InjectionImages;
  /** The xDS address injected proxies dial (`--injection-xds-address`, default `aspen.<ns>.svc:15010`). */
  readonly xdsAddress?: string;
  /** Namespaces never injected besides the built-in ones (`--injection-excluded-namespaces`). */
  readonly excludedNamespaces?: readonly string[];
  /** Native sidecars; default: asked from the API server's version at start. */
  readonly nativeSidecars?: boolean;
  /** The API client; default {@link kubeWebhookClient} over the controller's kubeconfig. */
  readonly client?: (kubeConfig: KubeConfig) => WebhookKubeClient;
}

/** The name of a raw object. */
function nameOf(object: RawObject): string | undefined {
  const metadata = object['metadata'] as { name?: unknown } | undefined;
  return typeof metadata?.name === 'string' ? metadata.name : undefined;
}

/**
 * Labels of namespace `name` from the provider's namespace store: `{}` for a namespace without labels, undefined
 * when the store does not hold it (not synced yet, or created a moment ago).
 */
export function namespaceLabelsFrom(
  namespaces: readonly RawObject[],
  name: string,
): Readonly<Record<string, string>> | undefined {
  const found = namespaces.find((ns) => nameOf(ns) === name);
  if (found === undefined) return undefined;
  const labels = (found['metadata'] as { labels?: Record<string, string> } | undefined)?.labels;
  return { ...labels };
}

const SNAPSHOT_KINDS: readonly KindName[] = [
  'policies',
  'pods',
  'services',
  'endpointSlices',
  'namespaces',
  'secrets',
  'configMaps',
];

/** The provider's current cluster snapshot, rebuilt lazily at most once per controller rebuild. */
class SnapshotView {
  private cached: ResourceSnapshot | undefined;

  constructor(private readonly source: KubernetesSource) {}

  /** Forgets the cached snapshot (after a rebuild). */
  invalidate(): void {
    this.cached = undefined;
  }

  /** The snapshot; undefined before every informer has synced. */
  current(): ResourceSnapshot | undefined {
    if (!this.source.synced) return undefined;
    if (this.cached === undefined) {
      const objects = Object.fromEntries(SNAPSHOT_KINDS.map((kind) => [kind, this.source.store(kind)]));
      this.cached = clusterSnapshot(objects as Record<KindName, RawObject[]>);
    }
    return this.cached;
  }
}

async function detectNativeSidecars(kubeConfig: KubeConfig, logger: Logger): Promise<boolean> {
  try {
    return await serverHasNativeSidecars(kubeConfig);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    logger.warn(
      { err: reason },
      'cannot read the API server version; injecting the proxy as a regular container (no native sidecars)',
    );
    return false;
  }
}

/** Starts the webhooks with everything taken from the controller. */
async function start(
  settings: WebhooksExtensionSettings,
  context: ControllerContext,
  parts: { client: WebhookKubeClient; snapshot: SnapshotView; logger: Logger },
): Promise<Webhooks> {
  const { client, snapshot, logger } = parts;
  const nativeSidecars = settings.nativeSidecars ?? (await detectNativeSidecars(context.kubeConfig, logger));
  logger.info({ nativeSidecars }, 'sidecar injection mode chosen');
  return startWebhooks(
    {
      listen: settings.listen,
      namespace: context.namespace,
      trustDomain: context.trustDomain,
      tls: settings.tls,
      injection: {
        images: settings.images,
        nativeSidecars,
        xdsAddress: settings.xdsAddress ?? `aspen.${context.namespace}.svc:15010`,
        excludedNamespaces: [...(settings.excludedNamespaces ?? [])],
      },
    },
    {
      client,
      isLeader: () => context.isLeader(),
      trustBundle: () => trustBundle(context.ca, () => context.clock.now()),
      snapshot: () => snapshot.current(),
      namespaceLabels: async (name) =>
        namespaceLabelsFrom(context.source.store('namespaces'), name) ?? client.namespaceLabels(name),
      metrics: context.registry,
      clock: context.clock,
      timers: context.timers,
      logger: context.logger,
    },
  );
}

/** What the leader does on taking over: certificates first (the self-test needs the caBundle), then the self-test. */
async function lead(webhooks: Webhooks, logger: Logger): Promise<void> {
  await webhooks.syncCertificates();
  const outcome = await webhooks.selfTest();
  logger.debug({ outcome: outcome ?? 'follower' }, 'webhook self-test run on taking leadership');
}

/** The webhooks extension factory; see the module comment. */
export function webhooksExtension(settings: WebhooksExtensionSettings): ExtensionFactory {
  return (context): ControllerExtension => {
    const logger = context.logger.child({ component: 'webhooks' });
    const client = (settings.client ?? kubeWebhookClient)(context.kubeConfig);
    const snapshot = new SnapshotView(context.source);
    let webhooks: Webhooks | undefined;
    let started: Promise<Webhooks> | undefined;
    let stopped = false;
    let ledSinceStart = false;
    const onLeader = (): void => {
      if (started === undefined) return; // start() leads once the server is up
      ledSinceStart = true;
      void started
        .then((w) => (stopped || !context.isLeader() ? undefined : lead(w, logger)))
        .catch((error: unknown) => logger.warn({ err: error }, 'webhook leader sync failed'));
    };
    context.onLeadership(onLeader, () => undefined);
    return {
      name: 'webhooks',
      onBuilt: () => snapshot.invalidate(),
      start: async (): Promise<void> => {
        started = start(settings, context, { client, snapshot, logger });
        webhooks = await started;
        logger.info({ port: webhooks.port }, 'admission webhooks listening');
        if (context.isLeader() && !ledSinceStart) onLeader();
      },
      stop: async (): Promise<void> => {
        stopped = true;
        const running = await started?.catch(() => undefined);
        await running?.close();
      },
      ready: () => webhooks?.ready() ?? false,
    };
  };
}
