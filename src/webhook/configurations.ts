/**
 * aspen's webhook configurations as objects (the Helm chart writes the same; docs/webhook-configurations.yaml is
 * generated from this and kept in sync by a test), and the JSON patches the leader applies to them: `caBundle` on
 * every entry, and the validating entry's failure policy once the self-test has passed.
 *
 * Injection: two entries, both `Fail` with a 10 s timeout and never for system namespaces or aspen's own: pods of
 * namespaces labelled `aspen.dev/inject=enabled`, and pods labelled `aspen.dev/inject=enabled` anywhere else (a
 * webhook cannot select on annotations, ADR 0018). Validation: `Ignore` until the self-test switches it to `Fail`.
 */
import { API_GROUP, POLICY_PLURAL } from '../api/group.js';
import { ALWAYS_EXCLUDED_NAMESPACES } from './inject/settings.js';
import type { ConfigPatchOperation, WebhookEntry } from './kube/client.js';

/** Name of the MutatingWebhookConfiguration. */
export const INJECTOR_CONFIGURATION = 'aspen-injector';
/** Name of the ValidatingWebhookConfiguration. */
export const VALIDATOR_CONFIGURATION = 'aspen-validator';
/** The validating entry. */
export const VALIDATE_WEBHOOK = 'validate.aspen.dev';
/** The injection entry for labelled namespaces. */
export const NAMESPACE_INJECT_WEBHOOK = 'namespace.inject.aspen.dev';
/** The injection entry for labelled pods elsewhere. */
export const POD_INJECT_WEBHOOK = 'pod.inject.aspen.dev';
/** Timeout of every entry, seconds (the API server's maximum is 30). */
export const WEBHOOK_TIMEOUT_SECONDS = 10;

/** Inputs of {@link webhookConfigurations}. */
export interface ConfigurationOptions {
  /** aspen's namespace (the Service `aspen` lives there). */
  readonly namespace: string;
  /** More namespaces never injected. */
  readonly excludedNamespaces?: readonly string[];
  /** Service port of the webhook; default 443. */
  readonly port?: number;
  /** PEM caBundle; left out when absent (the leader, or cert-manager's CA injector, fills it). */
  readonly caBundlePem?: string;
}

type Manifest = Record<string, unknown>;

function clientConfig(options: ConfigurationOptions, path: string): Manifest {
  return {
    service: { name: 'aspen', namespace: options.namespace, path, port: options.port ?? 443 },
    ...(options.caBundlePem === undefined
      ? {}
      : { caBundle: Buffer.from(options.caBundlePem).toString('base64') }),
  };
}

function excluded(options: ConfigurationOptions): Manifest {
  const names = [
    ...new Set([...ALWAYS_EXCLUDED_NAMESPACES, options.namespace, ...(options.excludedNamespaces ?? [])]),
  ];
  return { key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: names.sort() };
}

function injectEntry(options: ConfigurationOptions, name: string, selectors: Manifest): Manifest {
  return {
    name,
    admissionReviewVersions: ['v1'],
    clientConfig: clientConfig(options, '/inject'),
    rules: [
      {
        operations: ['CREATE'],
        apiGroups: [''],
        apiVersions: ['v1'],
        resources: ['pods'],
        scope: 'Namespaced',
      },
    ],
    failurePolicy: 'Fail',
    matchPolicy: 'Equivalent',
    reinvocationPolicy: 'Never',
    sideEffects: 'None',
    timeoutSeconds: WEBHOOK_TIMEOUT_SECONDS,
    ...selectors,
  };
}

const LABELS = { 'app.kubernetes.io/name': 'aspen', 'aspen.dev/managed-by': 'aspen' };

/** The MutatingWebhookConfiguration `aspen-injector`. */
export function injectorConfiguration(options: ConfigurationOptions): Manifest {
  const inject = { key: 'aspen.dev/inject', values: ['enabled'] };
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'MutatingWebhookConfiguration',
    metadata: { name: INJECTOR_CONFIGURATION, labels: LABELS },
    webhooks: [
      injectEntry(options, NAMESPACE_INJECT_WEBHOOK, {
        namespaceSelector: { matchExpressions: [{ ...inject, operator: 'In' }, excluded(options)] },
      }),
      injectEntry(options, POD_INJECT_WEBHOOK, {
        namespaceSelector: { matchExpressions: [{ ...inject, operator: 'NotIn' }, excluded(options)] },
        objectSelector: { matchLabels: { 'aspen.dev/inject': 'enabled' } },
      }),
    ],
  };
}

/** The ValidatingWebhookConfiguration `aspen-validator` (failure policy `Ignore` until the self-test passes). */
export function validatorConfiguration(options: ConfigurationOptions): Manifest {
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingWebhookConfiguration',
    metadata: { name: VALIDATOR_CONFIGURATION, labels: LABELS },
    webhooks: [
      {
        name: VALIDATE_WEBHOOK,
        admissionReviewVersions: ['v1'],
        clientConfig: clientConfig(options, '/validate'),
        rules: [
          {
            operations: ['CREATE', 'UPDATE'],
            apiGroups: [API_GROUP],
            apiVersions: ['*'],
            resources: [POLICY_PLURAL],
            scope: 'Namespaced',
          },
        ],
        failurePolicy: 'Ignore',
        matchPolicy: 'Equivalent',
        sideEffects: 'None',
        timeoutSeconds: WEBHOOK_TIMEOUT_SECONDS,
      },
    ],
  };
}

/** Operations setting `caBundle` on every entry that differs (each guarded by a `test` of its name). */
export function caBundlePatch(entries: readonly WebhookEntry[], caBundlePem: string): ConfigPatchOperation[] {
  const value = Buffer.from(caBundlePem).toString('base64');
  return entries.flatMap((entry, i) =>
    entry.caBundle === value
      ? []
      : [
          { op: 'test' as const, path: `/webhooks/${i}/name`, value: entry.name },
          { op: 'add' as const, path: `/webhooks/${i}/clientConfig/caBundle`, value },
        ],
  );
}

/** Operations setting the failure policy of the entry named `name`; empty when it already has it or is absent. */
export function failurePolicyPatch(
  entries: readonly WebhookEntry[],
  name: string,
  policy: 'Fail' | 'Ignore',
): ConfigPatchOperation[] {
  const i = entries.findIndex((e) => e.name === name);
  if (i === -1 || entries[i]?.failurePolicy === policy) return [];
  return [
    { op: 'test', path: `/webhooks/${i}/name`, value: name },
    { op: 'add', path: `/webhooks/${i}/failurePolicy`, value: policy },
  ];
}
