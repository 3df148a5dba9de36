/**
 * Secret `aspen-dataplane-tls` kept current by the controller leader (contracts.md): `tls.crt`, `tls.key` and
 * `ca.crt` exactly as `aspen dataplane --tls-dir` reads them, a certificate from the workload CA with SPIFFE ID
 * `spiffe://<td>/ns/<ns>/sa/aspen-dataplane` ({@link issueDataplaneTls}), replaced when two thirds of its lifetime
 * have passed, when the trust bundle changed, or when it names another identity. Only the leader writes (checked
 * before every write); it re-checks at the renewal point (at least every `maxCheckMs`, so a deleted Secret comes
 * back) and retries failures after `retryMs`. The key is never logged.
 */
import { X509Certificate } from 'node:crypto';
import { trustBundle } from '../ca/state.js';
import type { CaState } from '../ca/types.js';
import {
  DATAPLANE_SERVICE_ACCOUNT,
  DATAPLANE_TLS_SECRET,
  dataplaneTlsDue,
  dataplaneTlsRenewalTime,
  issueDataplaneTls,
} from '../dataplane/tls.js';
import type { TimerHandle, Timers } from '../serve/debounce.js';
import { spiffeId } from '../translate/match.js';
import type { StoredSecret, WebhookKubeClient } from '../webhook/kube/client.js';
import { ConflictError } from '../webhook/kube/client.js';
import type { Clock, Logger } from '../xds/server/types.js';

/** The Secret operations the keeper uses. */
export type SecretClient = Pick<WebhookKubeClient, 'readSecret' | 'createSecret' | 'updateSecret'>;

/** What the Secret needs, and why. */
export type DataplaneTlsAction =
  | { readonly kind: 'none' }
  | { readonly kind: 'create' }
  | { readonly kind: 'update'; readonly reason: string; readonly resourceVersion: string };

/** The URI SANs of a PEM certificate (the first in the chain); empty when unreadable. */
function uriSansOf(certificatePem: string): string[] {
  try {
    const san = new X509Certificate(certificatePem).subjectAltName ?? '';
    return san
      .split(/,\s*/)
      .filter((part) => part.startsWith('URI:'))
      .map((part) => part.slice(4));
  } catch {
    return [];
  }
}

/** Why the stored data must be replaced at `now`, or undefined when it is current. Pure. */
export function staleReason(
  data: Readonly<Record<string, string>>,
  expected: { readonly bundle: string; readonly identity: string; readonly now: Date },
): string | undefined {
  const cert = data['tls.crt'];
  if (cert === undefined || data['tls.key'] === undefined || data['ca.crt'] === undefined)
    return 'a key is missing';
  if (dataplaneTlsDue(cert, expected.now)) return 'renewal due (2/3 of its lifetime) or unreadable';
  if (data['ca.crt'] !== expected.bundle) return 'the trust bundle changed';
  const sans = uriSansOf(cert);
  if (sans.length !== 1 || sans[0] !== expected.identity) return `the identity is not ${expected.identity}`;
  return undefined;
}

/** What to do with the stored Secret. Pure. */
export function dataplaneTlsAction(
  stored: StoredSecret | undefined,
  expected: { readonly bundle: string; readonly identity: string; readonly now: Date },
): DataplaneTlsAction {
  if (stored === undefined) return { kind: 'create' };
  const reason = staleReason(stored.data, expected);
  return reason === undefined
    ? { kind: 'none' }
    : { kind: 'update', reason, resourceVersion: stored.resourceVersion };
}

/** Options of {@link DataplaneTlsKeeper}. */
export interface DataplaneTlsKeeperOptions {
  /** Secret access. */
  readonly client: SecretClient;
  /** The workload CA. */
  readonly ca: CaState;
  /** aspen's namespace (the Secret's and the dataplane's). */
  readonly namespace: string;
  /** SPIFFE trust domain. */
  readonly trustDomain: string;
  /** True while this replica leads. */
  readonly isLeader: () => boolean;
  /** Clock. */
  readonly clock: Clock;
  /** Timers. */
  readonly timers: Timers;
  /** Logger. */
  readonly logger: Logger;
  /** Longest time between checks; default 10 minutes. */
  readonly maxCheckMs?: number;
  /** Delay after a failed check; default 10 s. */
  readonly retryMs?: number;
  /** Lifetime of issued certificates; default the CA's SVID lifetime. */
  readonly ttlMs?: number;
}

/** See the module comment. */
export class DataplaneTlsKeeper {
  private timer: TimerHandle | undefined;
  private running = false;

  /** An idle keeper; it works only between {@link startedLeading} and {@link stoppedLeading}. */
  constructor(private readonly options: DataplaneTlsKeeperOptions) {}

  /** Becoming leader: check now, then on the timer. */
  startedLeading(): void {
    this.running = true;
    void this.sync();
  }

  /** Leadership lost or shutdown: no more checks. */
  stoppedLeading(): void {
    this.running = false;
    if (this.timer !== undefined) this.options.timers.clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** One check (leader only); returns what was done. Never throws. */
  async sync(): Promise<DataplaneTlsAction['kind'] | 'failed' | 'follower'> {
    const { options } = this;
    if (!options.isLeader()) return 'follower';
    let delay = options.maxCheckMs ?? 600_000;
    let done: DataplaneTlsAction['kind'] | 'failed';
    try {
      const result = await this.reconcile();
      done = result.kind;
      const due = dataplaneTlsRenewalTime(result.certificatePem);
      if (due !== undefined) delay = Math.min(delay, due.getTime() - options.clock.now().getTime());
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      options.logger.warn({ err: reason }, 'dataplane TLS Secret not updated; retrying');
      delay = options.retryMs ?? 10_000;
      done = 'failed';
    }
    this.schedule(Math.max(1000, delay));
    return done;
  }

  private async reconcile(): Promise<{ kind: DataplaneTlsAction['kind']; certificatePem?: string }> {
    const { options } = this;
    const { namespace } = options;
    const now = options.clock.now();
    const stored = await options.client.readSecret(namespace, DATAPLANE_TLS_SECRET);
    const expected = {
      bundle: trustBundle(options.ca, () => now),
      identity: spiffeId(options.trustDomain, namespace, DATAPLANE_SERVICE_ACCOUNT),
      now,
    };
    const action = dataplaneTlsAction(stored, expected);
    if (action.kind === 'none') return { kind: 'none', certificatePem: stored?.data['tls.crt'] };
    const issued = await issueDataplaneTls(
      options.ca,
      { namespace, ...(options.ttlMs === undefined ? {} : { ttlMs: options.ttlMs }) },
      options.clock,
    );
    if (!issued.ok) throw new Error(`issuing the dataplane certificate: ${issued.error.message}`);
    if (!options.isLeader()) return { kind: 'none' };
    const data = { ...issued.value };
    try {
      if (action.kind === 'create') await options.client.createSecret(namespace, DATAPLANE_TLS_SECRET, data);
      else
        await options.client.updateSecret(namespace, DATAPLANE_TLS_SECRET, {
          data,
          resourceVersion: action.resourceVersion,
        });
    } catch (error) {
      // Another writer got there first: check again soon from what is stored now.
      if (error instanceof ConflictError)
        throw new Error('the Secret changed meanwhile (409)', { cause: error });
      throw error;
    }
    const reason = action.kind === 'update' ? action.reason : 'absent';
    options.logger.info(
      { secret: DATAPLANE_TLS_SECRET, action: action.kind, reason },
      'dataplane TLS Secret written',
    );
    return { kind: action.kind, certificatePem: data['tls.crt'] };
  }

  private schedule(delay: number): void {
    if (!this.running) return;
    if (this.timer !== undefined) this.options.timers.clearTimeout(this.timer);
    this.timer = this.options.timers.setTimeout(() => void this.sync(), delay);
  }
}
