// An in-memory WebhookKubeClient: Secrets with resourceVersions, the two webhook configurations (JSON-patched like
// the API server does, `test` ops included), namespace labels, and a dry-run create that behaves like the API
// server's admission: it calls the validating webhook over real HTTPS, trusting only the caBundle in the stored
// configuration, and applies the entry's failure policy when the call fails.
import { request } from 'node:https';
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

type Json = Record<string, unknown>;

interface WebhookJson {
  name: string;
  failurePolicy: string;
  clientConfig: { caBundle?: string; service: { path: string } };
}

/** The in-memory client; `webhookPort` is where dry-runs send their AdmissionReview. */
export class MemoryClient implements WebhookKubeClient {
  readonly secrets = new Map<string, StoredSecret>();
  readonly configurations = new Map<WebhookKind, Json>();
  readonly labels = new Map<string, Record<string, string>>();
  readonly calls: string[] = [];
  webhookPort = 0;
  private version = 0;

  constructor(namespace = 'aspen-system') {
    this.configurations.set('mutating', injectorConfiguration({ namespace }));
    this.configurations.set('validating', validatorConfiguration({ namespace }));
  }

  async readSecret(namespace: string, name: string): Promise<StoredSecret | undefined> {
    return Promise.resolve(this.secrets.get(`${namespace}/${name}`));
  }

  async createSecret(namespace: string, name: string, data: Readonly<Record<string, string>>): Promise<void> {
    this.calls.push(`create ${name}`);
    if (this.secrets.has(`${namespace}/${name}`)) throw new ConflictError('exists');
    this.put(`${namespace}/${name}`, data);
    return Promise.resolve();
  }

  async updateSecret(
    namespace: string,
    name: string,
    update: { data: Readonly<Record<string, string>>; resourceVersion: string },
  ): Promise<void> {
    this.calls.push(`update ${name}`);
    const key = `${namespace}/${name}`;
    if (this.secrets.get(key)?.resourceVersion !== update.resourceVersion) throw new ConflictError('stale');
    this.put(key, update.data);
    return Promise.resolve();
  }

  private put(key: string, data: Readonly<Record<string, string>>): void {
    this.version += 1;
    this.secrets.set(key, { data: { ...data }, resourceVersion: String(this.version) });
  }

  private webhooks(kind: WebhookKind): WebhookJson[] {
    return ((this.configurations.get(kind) ?? {}).webhooks ?? []) as WebhookJson[];
  }

  async readWebhooks(kind: WebhookKind): Promise<readonly WebhookEntry[] | undefined> {
    if (!this.configurations.has(kind)) return undefined;
    return Promise.resolve(
      this.webhooks(kind).map((w) => ({
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
    this.calls.push(`patch ${kind}`);
    const copy = structuredClone(this.configurations.get(kind) ?? {});
    for (const op of patch) {
      const segments = op.path.slice(1).split('/');
      const last = segments.pop() ?? '';
      let node: unknown = copy;
      for (const s of segments) node = (node as Json)[s];
      if (op.op === 'test' && (node as Json)[last] !== op.value) throw new Error(`test failed at ${op.path}`);
      if (op.op === 'add') (node as Json)[last] = op.value;
    }
    this.configurations.set(kind, copy);
    return Promise.resolve();
  }

  /** The caBundle (PEM) of the first entry of a configuration. */
  caBundle(kind: WebhookKind): string {
    return Buffer.from(this.webhooks(kind)[0]?.clientConfig.caBundle ?? '', 'base64').toString('utf8');
  }

  /** The failure policy of the validating entry. */
  validationFailurePolicy(): string {
    return this.webhooks('validating')[0]?.failurePolicy ?? '';
  }

  async dryRunCreate(object: Readonly<Record<string, unknown>>): Promise<DryRunOutcome> {
    const entry = this.webhooks('validating')[0];
    if (entry === undefined) return { allowed: true };
    const review = {
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      request: {
        uid: 'dry-run-1',
        kind: { group: 'aspen.dev', version: 'v1alpha1', kind: 'ApiSecurityPolicy' },
        namespace: (object.metadata as { namespace: string }).namespace,
        operation: 'CREATE',
        object,
        dryRun: true,
      },
    };
    try {
      const ca = Buffer.from(entry.clientConfig.caBundle ?? '', 'base64').toString('utf8');
      const answer = (await postJson({ port: this.webhookPort, path: '/validate', ca, body: review }))
        .json as {
        response: { allowed: boolean; status?: { message: string } };
      };
      if (answer.response.allowed) return { allowed: true };
      const message = answer.response.status?.message ?? '';
      return { allowed: false, message: `admission webhook "${entry.name}" denied the request: ${message}` };
    } catch (error) {
      if (entry.failurePolicy === 'Ignore') return { allowed: true };
      return { allowed: false, message: `failed calling webhook "${entry.name}": ${String(error)}` };
    }
  }

  async namespaceLabels(name: string): Promise<Readonly<Record<string, string>> | undefined> {
    return Promise.resolve(this.labels.get(name));
  }
}

/** An HTTPS answer. */
export interface HttpAnswer {
  status: number;
  text: string;
  json: unknown;
}

/** POSTs to the webhook over HTTPS, verifying it with `ca` for the name aspen.aspen-system.svc. */
export async function postJson(options: {
  port: number;
  path: string;
  ca: string;
  body: unknown;
  contentType?: string;
  method?: string;
}): Promise<HttpAnswer> {
  const payload = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
  return send({ ...options, payload });
}

/** Sends raw bytes. */
export async function send(options: {
  port: number;
  path: string;
  ca: string;
  payload: string | Buffer;
  contentType?: string;
  method?: string;
}): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: options.port,
        path: options.path,
        method: options.method ?? 'POST',
        ca: options.ca,
        servername: 'aspen.aspen-system.svc',
        headers: { 'content-type': options.contentType ?? 'application/json' },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = JSON.parse(text) as unknown;
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, text, json });
        });
      },
    );
    req.on('error', reject);
    req.end(options.payload);
  });
}
