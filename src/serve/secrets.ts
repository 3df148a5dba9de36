/**
 * SDS in `aspen serve`: each proxy's snapshot carries the Secret type — `default` (its workload's X.509-SVID and key)
 * and `ROOTCA` (the trust bundle). Certificates are issued through `proxySecrets` with the caller identity set to the
 * workload's own ServiceAccount (file mode: the workload a proxy claims is trusted, see ADR 0009), and renewed by a
 * rotation timer that republishes only the affected proxies' Secret type.
 *
 * Key material lives in the snapshot cache only: this module remembers per proxy the identity, SPIFFE ID and renewal
 * time, and hands freshly issued secrets to the next publish; it never logs them or puts them in build statuses.
 */
import { trustBundle } from '../ca/state.js';
import type { CaState, RandomSource } from '../ca/types.js';
import type { ProxyIR } from '../ir/index.js';
import type { SnapshotCache } from '../xds/cache/cache.js';
import type { EncodedResource } from '../xds/cache/snapshot.js';
import { delayUntilWake, planRotation } from '../xds/sds/rotation.js';
import { SECRET_TYPE_URL, encodeSecrets, proxySecretsWith, trustBundleSecret } from '../xds/sds/secrets.js';
import type { Clock, Logger } from '../xds/server/types.js';
import { TRUST_BUNDLE_SECRET } from '../xds/translate/names.js';
import type { TimerHandle, Timers } from './debounce.js';

/** Where the pipeline gets each proxy's secrets (see `RunnerOptions.secrets`). */
export interface SecretSource {
  /** Issues what the proxies of a rebuild lack (new, identity changed, or not in the cache yet). */
  prepare(proxies: readonly ProxyIR[]): Promise<void>;
  /** The proxy's Secret resources for the snapshot, or why it has none (the proxy then keeps its previous one). */
  resourcesFor(proxyKey: string): readonly EncodedResource[] | string;
}

/** How the authenticated caller is recorded for file-mode issuing. */
const FILE_MODE = 'file-mode';
/** Retry delay when issuing failed at a rotation. */
const RETRY_MS = 60 * 1000;
/** The longest delay a Node timer takes; longer waits are re-planned on wake-up. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** What {@link WorkloadSecrets} is built from. */
export interface WorkloadSecretsOptions {
  /** The workload CA. */
  readonly ca: CaState;
  /** The snapshot cache (where the secrets live, and where rotations republish). */
  readonly cache: SnapshotCache;
  /** Time source. */
  readonly clock: Clock;
  /** Renewal jitter. */
  readonly random: RandomSource;
  /** Rotation timer. */
  readonly timers: Timers;
  /** Where issuing is logged (identities and times only). */
  readonly logger: Logger;
  /** SVID lifetime; default the CA's (24 hours). */
  readonly svidTtlMs?: number;
}

/** What is remembered per proxy: no key material. */
interface Held {
  /** `<namespace>/<serviceAccount>`. */
  readonly account: string;
  /** The SVID's SPIFFE ID. */
  readonly spiffeId: string;
  /** When to renew. */
  readonly renewAt: Date;
}

/** The workload secrets of every served proxy, with their rotation timer. */
export class WorkloadSecrets implements SecretSource {
  private readonly options: WorkloadSecretsOptions;
  private readonly held = new Map<string, Held>();
  private readonly accounts = new Map<string, { namespace: string; serviceAccount: string }>();
  private readonly fresh = new Map<string, EncodedResource[]>();
  private readonly failed = new Map<string, string>();
  private bundlePem: string;
  private bundle: EncodedResource;
  private timer: TimerHandle | undefined;
  private stopped = false;

  /** Creates the store; nothing is issued before {@link prepare}. */
  constructor(options: WorkloadSecretsOptions) {
    this.options = options;
    this.bundlePem = trustBundle(options.ca, this.caClock);
    this.bundle = encodeBundle(this.bundlePem);
  }

  /** Issues for every proxy that lacks a current certificate; forgets proxies that are gone. */
  async prepare(proxies: readonly ProxyIR[]): Promise<void> {
    const keys = new Set(proxies.map((p) => p.key));
    for (const key of [...this.held.keys()]) {
      if (!keys.has(key)) this.forget(key);
    }
    this.failed.clear();
    for (const proxy of proxies) {
      const account = { namespace: proxy.workload.namespace, serviceAccount: proxy.workload.serviceAccount };
      this.accounts.set(proxy.key, account);
      if (this.isCurrent(proxy.key, account)) continue;
      await this.issue(proxy.key);
    }
    this.schedule();
  }

  /** The freshly issued secrets, else the ones in the cache; or why there are none. */
  resourcesFor(proxyKey: string): readonly EncodedResource[] | string {
    const fresh = this.fresh.get(proxyKey);
    if (fresh !== undefined) {
      this.fresh.delete(proxyKey);
      return fresh;
    }
    const problem = this.failed.get(proxyKey);
    if (problem !== undefined) return `no workload certificate: ${problem}`;
    return this.cached(proxyKey) ?? 'no workload certificate issued';
  }

  /** The SPIFFE ID and renewal time of a proxy's current certificate (tests, debugging). */
  issued(proxyKey: string): { spiffeId: string; renewAt: Date } | undefined {
    const held = this.held.get(proxyKey);
    return held === undefined ? undefined : { spiffeId: held.spiffeId, renewAt: held.renewAt };
  }

  /** Cancels the rotation timer. */
  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.options.timers.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private readonly caClock = (): Date => this.options.clock.now();

  private isCurrent(proxyKey: string, account: { namespace: string; serviceAccount: string }): boolean {
    const held = this.held.get(proxyKey);
    if (held?.account !== `${account.namespace}/${account.serviceAccount}`) return false;
    return this.fresh.has(proxyKey) || this.cached(proxyKey) !== undefined;
  }

  private forget(proxyKey: string): void {
    this.held.delete(proxyKey);
    this.accounts.delete(proxyKey);
    this.fresh.delete(proxyKey);
  }

  /** The proxy's Secret resources in the cache, if it has them. */
  private cached(proxyKey: string): readonly EncodedResource[] | undefined {
    const type = this.options.cache.getSnapshot(proxyKey)?.types.get(SECRET_TYPE_URL);
    return type === undefined || type.resources.length === 0 ? undefined : type.resources;
  }

  /** Issues the proxy's SVID into {@link fresh}; returns false (recorded in {@link failed}) when the CA refused. */
  private async issue(proxyKey: string): Promise<boolean> {
    const account = this.accounts.get(proxyKey);
    if (account === undefined) return false;
    const { ca, random, svidTtlMs, logger } = this.options;
    const result = await proxySecretsWith(
      ca,
      { ...account, authenticatedBy: FILE_MODE },
      { clock: this.caClock, random, ...(svidTtlMs === undefined ? {} : { ttlMs: svidTtlMs }) },
    );
    if (this.accounts.get(proxyKey) !== account) return false; // gone or changed meanwhile
    if (!result.ok) {
      this.failed.set(proxyKey, result.error.message);
      logger.error(
        { proxy: proxyKey, reason: result.error.message },
        'cannot issue the workload certificate',
      );
      return false;
    }
    const [cert] = encodeSecrets(result.value.secrets.slice(0, 1));
    if (cert === undefined) return false;
    this.fresh.set(proxyKey, [cert, this.bundle]);
    const held = {
      account: `${account.namespace}/${account.serviceAccount}`,
      spiffeId: result.value.svid.spiffeId,
      renewAt: result.value.renewAt,
    };
    this.held.set(proxyKey, held);
    logger.info(
      { proxy: proxyKey, spiffeId: held.spiffeId, notAfter: result.value.svid.notAfter.toISOString() },
      'workload certificate issued',
    );
    return true;
  }

  private schedule(delayMs?: number): void {
    if (this.stopped) return;
    if (this.timer !== undefined) this.options.timers.clearTimeout(this.timer);
    this.timer = undefined;
    const wait = delayMs ?? this.nextWake();
    if (wait === undefined) return;
    this.timer = this.options.timers.setTimeout(
      () => {
        this.timer = undefined;
        this.rotate().catch((error: unknown) =>
          this.options.logger.error({ err: error }, 'workload certificate rotation failed'),
        );
      },
      Math.min(wait, MAX_TIMER_MS),
    );
  }

  /** Milliseconds until the next renewal or the end of a retired root's overlap (the bundle changes then). */
  private nextWake(): number | undefined {
    const records = [...this.held].map(([proxyKey, held]) => ({ proxyKey, renewAt: held.renewAt }));
    const now = this.options.clock.now().getTime();
    for (const retired of this.options.ca.retired) {
      if (retired.trustedUntil.getTime() > now) records.push({ proxyKey: '', renewAt: retired.trustedUntil });
    }
    const plan = planRotation(records, this.caClock);
    return plan.due.length > 0 ? 0 : delayUntilWake(plan, this.caClock);
  }

  /** Reissues the due certificates and republishes their proxies' Secret type; a changed bundle goes to all. */
  private async rotate(): Promise<void> {
    const records = [...this.held].map(([proxyKey, held]) => ({ proxyKey, renewAt: held.renewAt }));
    const due = planRotation(records, this.caClock).due.filter((key) => this.held.has(key));
    const bundleChanged = this.refreshBundle();
    let failures = 0;
    for (const proxyKey of due) {
      if (!(await this.issue(proxyKey))) failures += 1;
    }
    if (this.stopped) return;
    const targets = bundleChanged ? [...this.held.keys()] : due;
    for (const proxyKey of targets) this.republish(proxyKey);
    this.schedule(failures > 0 ? RETRY_MS : undefined);
  }

  /** Recomputes the trust bundle; true when it changed (a retired root's overlap ended). */
  private refreshBundle(): boolean {
    const pem = trustBundle(this.options.ca, this.caClock);
    if (pem === this.bundlePem) return false;
    this.bundlePem = pem;
    this.bundle = encodeBundle(pem);
    return true;
  }

  /** Replaces only the Secret type of a proxy's current snapshot (the other types keep their versions). */
  private republish(proxyKey: string): void {
    const snapshot = this.options.cache.getSnapshot(proxyKey);
    if (snapshot === undefined) return;
    const secrets = this.fresh.get(proxyKey) ?? this.cached(proxyKey);
    if (secrets === undefined) return;
    this.fresh.delete(proxyKey);
    const input: Record<string, readonly EncodedResource[]> = {};
    for (const [typeUrl, type] of snapshot.types) input[typeUrl] = type.resources;
    input[SECRET_TYPE_URL] = secrets.map((s) => (s.name === TRUST_BUNDLE_SECRET ? this.bundle : s));
    this.options.cache.setSnapshot(proxyKey, input);
  }
}

function encodeBundle(pem: string): EncodedResource {
  const [bundle] = encodeSecrets([trustBundleSecret(pem)]);
  if (bundle === undefined) throw new Error('unreachable: one secret encodes to one resource');
  return bundle;
}
