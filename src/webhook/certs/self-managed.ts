/**
 * Self-managed webhook TLS (`--webhook-cert-source self`): the leader keeps Secret `aspen-webhook-tls` current by
 * applying {@link nextStep} until nothing is left, writes it (optimistic concurrency; a conflict means another
 * leader wrote first and is re-read), and patches the caBundle into both webhook configurations whenever it differs
 * (this also repairs a chart upgrade that reset it). Every replica serves the certificate from the Secret and re-reads
 * it on a timer. Time and timers are injected; no key ever reaches a log.
 */
import { INJECTOR_CONFIGURATION, VALIDATOR_CONFIGURATION, caBundlePatch } from '../configurations.js';
import type { WebhookKind, WebhookKubeClient } from '../kube/client.js';
import { ConflictError } from '../kube/client.js';
import type { Clock, Logger } from '../../xds/server/types.js';
import type { TimerHandle, Timers } from '../../serve/debounce.js';
import { DEFAULT_ROTATION_POLICY, caBundle, nextStep } from './plan.js';
import type { RotationPolicy, RotationStep, WebhookTlsState } from './plan.js';
import { WEBHOOK_TLS_SECRET, decodeTlsSecret, encodeTlsSecret } from './secret.js';
import { dnsNamesOf, generateWebhookCa, issueWebhookServing, keyIds } from './webhook-ca.js';
import type { TlsSource, TlsUpdate } from './source.js';

/** Options of {@link SelfManagedTls}. */
export interface SelfManagedTlsOptions {
  /** The API client. */
  readonly client: WebhookKubeClient;
  /** aspen's namespace (the Secret's, and the Service's). */
  readonly namespace: string;
  /** DNS names of the serving certificate; default `aspen.<ns>.svc` and `aspen.<ns>.svc.cluster.local`. */
  readonly dnsNames?: readonly string[];
  /** Lifetimes; default {@link DEFAULT_ROTATION_POLICY}. */
  readonly policy?: RotationPolicy;
  /** True on the leader: only it writes the Secret and patches configurations. */
  readonly isLeader: () => boolean;
  /** Clock. */
  readonly clock: Clock;
  /** Timers. */
  readonly timers: Timers;
  /** Logger. */
  readonly logger: Logger;
  /** How often every replica re-reads the Secret; default 30 s. */
  readonly pollMs?: number;
}

/** The DNS names of the webhook Service. */
export function serviceDnsNames(namespace: string): string[] {
  return [`aspen.${namespace}.svc`, `aspen.${namespace}.svc.cluster.local`];
}

const MAX_STEPS = 8;

/** The self-managed TLS source. */
export class SelfManagedTls implements TlsSource {
  private timer: TimerHandle | undefined;
  private stopped = false;
  private served = '';
  private readonly listeners = new Set<(update: TlsUpdate) => void>();

  /** A source that does nothing until {@link start}. */
  constructor(private readonly options: SelfManagedTlsOptions) {}

  /** Registers a listener for new certificates. */
  onUpdate(listener: (update: TlsUpdate) => void): void {
    this.listeners.add(listener);
  }

  /** Syncs once, then keeps syncing on a timer. */
  async start(): Promise<void> {
    await this.sync();
  }

  /** Stops the timer. */
  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.options.timers.clearTimeout(this.timer);
  }

  /** One sync: read, (leader) rotate, write, patch, then serve what the Secret holds. Never throws. */
  async sync(): Promise<void> {
    let delay = this.options.pollMs ?? 30_000;
    try {
      const stored = await this.options.client.readSecret(this.options.namespace, WEBHOOK_TLS_SECRET);
      const decoded = decodeTlsSecret(stored?.data);
      if (decoded.problem !== undefined) this.options.logger.warn({ reason: decoded.problem }, 'webhook TLS');
      let state = decoded.state;
      if (this.options.isLeader()) {
        const next = await this.rotate(state);
        state = await this.store(next.state, stored?.resourceVersion, next.changed);
        await this.patchCaBundles(caBundle(state));
        delay = Math.min(
          delay,
          Math.max(1000, next.nextCheckAt.getTime() - this.options.clock.now().getTime()),
        );
      }
      this.serve(state);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.options.logger.warn({ err: reason }, 'webhook TLS sync failed; retrying');
      delay = Math.min(delay, 10_000);
    }
    this.schedule(delay);
  }

  private schedule(delay: number): void {
    if (this.stopped) return;
    if (this.timer !== undefined) this.options.timers.clearTimeout(this.timer);
    this.timer = this.options.timers.setTimeout(() => void this.sync(), delay);
  }

  private dnsNames(): readonly string[] {
    return this.options.dnsNames ?? serviceDnsNames(this.options.namespace);
  }

  private async rotate(
    initial: WebhookTlsState,
  ): Promise<{ state: WebhookTlsState; changed: boolean; nextCheckAt: Date }> {
    let state = initial;
    const policy = this.options.policy ?? DEFAULT_ROTATION_POLICY;
    for (let i = 0; i < MAX_STEPS; i += 1) {
      const now = this.options.clock.now();
      const step = nextStep(state, now, { policy, dnsNames: this.dnsNames() });
      if (step.kind === 'none') return { state, changed: state !== initial, nextCheckAt: step.nextCheckAt };
      this.options.logger.info({ step: step.kind }, 'webhook TLS rotation');
      state = await this.apply(state, step, { now, policy });
    }
    throw new Error('webhook TLS rotation did not settle');
  }

  private async apply(
    state: WebhookTlsState,
    step: Exclude<RotationStep, { kind: 'none' }>,
    context: { now: Date; policy: RotationPolicy },
  ): Promise<WebhookTlsState> {
    const { now, policy } = context;
    switch (step.kind) {
      case 'drop-expired':
        return { ...state, cas: state.cas.filter((ca) => ca.notAfter.getTime() > now.getTime()) };
      case 'generate-ca': {
        const ca = await generateWebhookCa(now, policy.caValidityMs);
        return { ...state, cas: [{ ...ca, keyId: keyIds(ca.certificatePem).subject }, ...state.cas] };
      }
      case 'issue-serving': {
        const dnsNames = this.dnsNames();
        const serving = await issueWebhookServing(step.signer, {
          dnsNames,
          ttlMs: policy.servingValidityMs,
          now,
        });
        const leaf = serving.certificatePem;
        return {
          ...state,
          serving: { ...serving, issuerKeyId: keyIds(leaf).authority, dnsNames: dnsNamesOf(leaf) },
        };
      }
      case 'retire-old-cas':
        return { ...state, cas: state.cas.slice(0, step.keep) };
    }
  }

  private async store(
    state: WebhookTlsState,
    resourceVersion: string | undefined,
    changed: boolean,
  ): Promise<WebhookTlsState> {
    if (!changed) return state;
    const { client, namespace } = this.options;
    const data = encodeTlsSecret(state);
    try {
      if (resourceVersion === undefined) await client.createSecret(namespace, WEBHOOK_TLS_SECRET, data);
      else await client.updateSecret(namespace, WEBHOOK_TLS_SECRET, { data, resourceVersion });
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      // Someone else wrote first: serve what is stored now; the next sync rotates from there.
      const stored = await client.readSecret(namespace, WEBHOOK_TLS_SECRET);
      return decodeTlsSecret(stored?.data).state;
    }
    return state;
  }

  private async patchCaBundles(bundle: string): Promise<void> {
    const targets: [WebhookKind, string][] = [
      ['mutating', INJECTOR_CONFIGURATION],
      ['validating', VALIDATOR_CONFIGURATION],
    ];
    for (const [kind, name] of targets) {
      const entries = await this.options.client.readWebhooks(kind, name);
      if (entries === undefined) {
        this.options.logger.warn(
          { configuration: name },
          'webhook configuration not found; caBundle not set',
        );
        continue;
      }
      const patch = caBundlePatch(entries, bundle);
      if (patch.length === 0) continue;
      await this.options.client.patchWebhooks(kind, name, patch);
      this.options.logger.info(
        { configuration: name, cas: bundle.split('BEGIN CERT').length - 1 },
        'caBundle patched',
      );
    }
  }

  private serve(state: WebhookTlsState): void {
    const serving = state.serving;
    if (serving === undefined) return;
    const fingerprint = `${serving.certificatePem}|${caBundle(state)}`;
    if (fingerprint === this.served) return;
    this.served = fingerprint;
    const update: TlsUpdate = {
      certificatePem: serving.certificatePem,
      privateKeyPem: serving.privateKeyPem.reveal(),
      caBundlePem: caBundle(state),
      notAfter: serving.notAfter,
    };
    for (const listener of this.listeners) listener(update);
  }
}
