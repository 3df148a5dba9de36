/**
 * The cluster feed of `aspen dataplane` (docs/adr/0021-dataplane-state-source.md): an informer on
 * ApiSecurityPolicies (list + watch, cluster-wide), and a `get` of each Secret the valid policies reference, hashed
 * at once and never kept. Rebuilt (debounced) on every policy change and every `resyncMs` (key rotation in a Secret
 * is picked up within that period). A Secret that cannot be read for a transient reason keeps its previous hashes; a
 * Secret that is gone drops them (its clients' keys are then refused).
 */
import { CoreV1Api, CustomObjectsApi, makeInformer } from '@kubernetes/client-node';
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import { API_GROUP, API_VERSION, POLICY_PLURAL } from '../api/group.js';
import type { DataObject, RawPolicy } from '../provider/snapshot.js';
import type { TimerHandle, Timers } from '../serve/debounce.js';
import type { Logger } from '../xds/server/types.js';
import { validPolicies } from './from-snapshot.js';
import type { KeyHasher, SecretHashes } from './key-hash.js';
import { secretRefKey } from './key-hash.js';
import type { StateHolder } from './state.js';
import { buildState, referencedSecrets } from './state.js';

/** Default period of Secret re-reads. */
export const DEFAULT_SECRET_RESYNC_MS = 30_000;
/** Quiet period before a rebuild after a policy event. */
const DEBOUNCE_MS = 200;
/** Delay before the informer restarts after an error. */
const RESTART_MS = 5000;

/** What the feed needs. */
export interface KubeFeedOptions {
  /** Cluster access. */
  kubeconfig: KubeConfig;
  /** Trust domain (policy validation). */
  trustDomain: string;
  /** The dataplane's hasher. */
  hasher: KeyHasher;
  /** Where the state goes. */
  holder: StateHolder;
  /** Debounce, resync and restart timers. */
  timers: Timers;
  /** Where problems are logged (never Secret values). */
  logger: Logger;
  /** Secret re-read period; default 30 s. */
  resyncMs?: number;
}

type PolicyObject = KubernetesObject & Record<string, unknown>;

/** A policy object as the translator reads it. */
export function rawPolicy(object: PolicyObject): RawPolicy {
  return {
    namespace: object.metadata?.namespace ?? 'default',
    name: object.metadata?.name ?? '',
    apiVersion: object.apiVersion ?? '',
    kind: object.kind ?? '',
    generation: object.metadata?.generation ?? 0,
    object,
  };
}

function httpCode(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

/** Keeps the dataplane state in step with the cluster. */
export class KubeFeed {
  private readonly options: KubeFeedOptions;
  private readonly core: CoreV1Api;
  private readonly informer;
  private hashes: SecretHashes = new Map();
  private timer: TimerHandle | undefined;
  private resync: TimerHandle | undefined;
  private stopped = false;
  private running: Promise<void> | undefined;

  /** A feed; nothing is read before {@link start}. */
  constructor(options: KubeFeedOptions) {
    this.options = options;
    this.core = options.kubeconfig.makeApiClient(CoreV1Api);
    const custom = options.kubeconfig.makeApiClient(CustomObjectsApi);
    this.informer = makeInformer<PolicyObject>(
      options.kubeconfig,
      `/apis/${API_GROUP}/${API_VERSION}/${POLICY_PLURAL}`,
      () => custom.listClusterCustomObject({ group: API_GROUP, version: API_VERSION, plural: POLICY_PLURAL }),
    );
  }

  /** Lists, builds the first state, then watches. Rejects when the first list fails. */
  async start(): Promise<void> {
    for (const event of ['add', 'update', 'delete'] as const) this.informer.on(event, () => this.schedule());
    this.informer.on('error', (error: unknown) => {
      this.options.logger.warn({ err: error }, 'policy watch failed; restarting');
      if (!this.stopped)
        this.options.timers.setTimeout(() => void this.informer.start().catch(() => undefined), RESTART_MS);
    });
    await this.informer.start();
    await this.rebuild();
  }

  /** Stops watching and the timers. */
  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.options.timers.clearTimeout(this.timer);
    if (this.resync !== undefined) this.options.timers.clearTimeout(this.resync);
    void this.informer.stop();
  }

  private schedule(): void {
    if (this.stopped) return;
    if (this.timer !== undefined) this.options.timers.clearTimeout(this.timer);
    this.timer = this.options.timers.setTimeout(() => {
      this.timer = undefined;
      void this.rebuild();
    }, DEBOUNCE_MS);
  }

  /** Rebuilds the state (one at a time) and arms the next resync. */
  rebuild(): Promise<void> {
    this.running ??= this.build()
      .catch((error: unknown) => this.options.logger.error({ err: error }, 'dataplane state rebuild failed'))
      .finally(() => {
        this.running = undefined;
        if (this.resync !== undefined) this.options.timers.clearTimeout(this.resync);
        if (!this.stopped) {
          this.resync = this.options.timers.setTimeout(
            () => void this.rebuild(),
            this.options.resyncMs ?? DEFAULT_SECRET_RESYNC_MS,
          );
        }
      });
    return this.running;
  }

  private async build(): Promise<void> {
    const policies = validPolicies(this.informer.list().map(rawPolicy), this.options.trustDomain);
    const next: SecretHashes = new Map();
    for (const ref of referencedSecrets(policies)) await this.readSecret(ref, next);
    this.hashes = next;
    this.options.holder.update(buildState(policies, next));
    this.options.logger.info({ policies: policies.length, secrets: next.size }, 'dataplane state rebuilt');
  }

  /** Hashes one Secret's entries into `into`; on a transient failure copies its previous hashes. */
  private async readSecret(ref: string, into: SecretHashes): Promise<void> {
    const [namespace = '', name = ''] = ref.split('/');
    try {
      const secret = await this.core.readNamespacedSecret({ namespace, name });
      const data: DataObject = { namespace, name, data: {} };
      for (const [key, value] of Object.entries(secret.data ?? {})) {
        data.data[key] = Buffer.from(value, 'base64').toString('utf8');
      }
      for (const [key, hash] of this.options.hasher.hashSecrets([data])) into.set(key, hash);
    } catch (error) {
      if (httpCode(error) === 404) return;
      this.options.logger.warn(
        { secret: ref, code: httpCode(error) },
        'cannot read a referenced Secret; keeping its last hashes',
      );
      const prefix = secretRefKey({ namespace, name, key: '' });
      for (const [key, hash] of this.hashes) if (key.startsWith(prefix)) into.set(key, hash);
    }
  }
}
