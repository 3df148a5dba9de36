/**
 * The extensions `aspen controller` runs, from its resolved flags: status reporting (the app's defaults), the
 * admission webhooks (`--webhook-*`, `--proxy-image`, `--redirect-image`, `--injection-*`) and the leader's upkeep of
 * Secret `aspen-dataplane-tls`.
 */
import { defaultExtensions } from '../controller/app.js';
import { dataplaneTlsExtension } from '../controller/dataplane-tls-extension.js';
import type { ExtensionFactory } from '../controller/extension.js';
import { webhooksExtension } from '../controller/webhooks-extension.js';
import { formatListenAddress } from '../serve/address.js';
import { serviceDnsNames } from '../webhook/certs/self-managed.js';
import type { WebhookTlsOptions } from '../webhook/index.js';
import type { ResolvedControllerFlags, WebhookFlags } from './controller-flags.js';

/** The webhook TLS source from the flags. */
export function webhookTls(webhook: WebhookFlags, namespace: string): WebhookTlsOptions {
  if (webhook.certSource === 'external') return { source: 'external', dir: webhook.certDir ?? '' };
  const extra = webhook.extraDnsNames ?? [];
  return extra.length === 0
    ? { source: 'self' }
    : { source: 'self', dnsNames: [...serviceDnsNames(namespace), ...extra] };
}

/** Every extension of a controller started with `resolved`. */
export function controllerExtensions(resolved: ResolvedControllerFlags): ExtensionFactory[] {
  const { options, webhook, injection } = resolved;
  return [
    ...defaultExtensions(options),
    webhooksExtension({
      listen: formatListenAddress(webhook.listen),
      tls: webhookTls(webhook, options.namespace),
      images: injection.images,
      xdsAddress: injection.xdsAddress,
      excludedNamespaces: injection.excludedNamespaces,
    }),
    dataplaneTlsExtension(),
  ];
}
