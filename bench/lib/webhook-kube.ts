/**
 * The API server as the benchmark's webhooks see it: an in-memory {@link WebhookKubeClient} holding Secret
 * `aspen-webhook-tls` (so the serving certificate is issued by aspen's own webhook CA, as `aspen controller` does by
 * default) and the two webhook configurations (so the caBundle patch goes through). The failure-policy self-test's
 * dry run is answered "not refused" (nothing calls back into the webhook during the measurement).
 */
import { injectorConfiguration, validatorConfiguration } from '../../src/webhook/configurations.js';
import { ConflictError } from '../../src/webhook/kube/client.js';
import type {
  ConfigPatchOperation,
  DryRunOutcome,
  StoredSecret,
  WebhookEntry,
  WebhookKind,
  WebhookKubeClient,
} from '../../src/webhook/kube/client.js';

interface WebhookJson {
  name: string;
  failurePolicy: string;
  clientConfig: { caBundle?: string };
}

/** The in-memory client of the benchmark. */
export class BenchKubeClient implements WebhookKubeClient {
  private readonly secrets = new Map<string, StoredSecret>();
  private readonly configurations = new Map<WebhookKind, Record<string, unknown>>();
  private version = 0;

  /** Configurations as the chart installs them, for aspen in `namespace`. */
  constructor(
    namespace: string,
    private readonly labels: (name: string) => Readonly<Record<string, string>> | undefined,
  ) {
    this.configurations.set('mutating', injectorConfiguration({ namespace }));
    this.configurations.set('validating', validatorConfiguration({ namespace }));
  }

  async readSecret(namespace: string, name: string): Promise<StoredSecret | undefined> {
    return Promise.resolve(this.secrets.get(`${namespace}/${name}`));
  }

  async createSecret(namespace: string, name: string, data: Readonly<Record<string, string>>): Promise<void> {
    if (this.secrets.has(`${namespace}/${name}`)) throw new ConflictError('exists');
    this.put(`${namespace}/${name}`, data);
    return Promise.resolve();
  }

  async updateSecret(
    namespace: string,
    name: string,
    update: { readonly data: Readonly<Record<string, string>>; readonly resourceVersion: string },
  ): Promise<void> {
    const key = `${namespace}/${name}`;
    if (this.secrets.get(key)?.resourceVersion !== update.resourceVersion) throw new ConflictError('stale');
    this.put(key, update.data);
    return Promise.resolve();
  }

  private put(key: string, data: Readonly<Record<string, string>>): void {
    this.version += 1;
    this.secrets.set(key, { data: { ...data }, resourceVersion: String(this.version) });
  }

  private entries(kind: WebhookKind): WebhookJson[] {
    return (this.configurations.get(kind)?.webhooks ?? []) as WebhookJson[];
  }

  async readWebhooks(kind: WebhookKind): Promise<readonly WebhookEntry[] | undefined> {
    return Promise.resolve(
      this.entries(kind).map((w) => ({
        name: w.name,
        caBundle: w.clientConfig.caBundle ?? '',
        failurePolicy: w.failurePolicy,
      })),
    );
  }

  async patchWebhooks(
    kind: WebhookKind,
    _name: string,
    patch: readonly ConfigPatchOperation[],
  ): Promise<void> {
    const copy = structuredClone(this.configurations.get(kind) ?? {});
    for (const op of patch.filter((o) => o.op === 'add')) {
      const segments = op.path.slice(1).split('/');
      const last = segments.pop() ?? '';
      const node = segments.reduce<unknown>((n, s) => (n as Record<string, unknown>)[s], copy);
      (node as Record<string, unknown>)[last] = op.value;
    }
    this.configurations.set(kind, copy);
    return Promise.resolve();
  }

  async dryRunCreate(): Promise<DryRunOutcome> {
    return Promise.resolve({ allowed: true });
  }

  async namespaceLabels(name: string): Promise<Readonly<Record<string, string>> | undefined> {
    return Promise.resolve(this.labels(name));
  }
}
