/**
 * One replica's sync summary: per policy (at the generation this replica published), how many of the proxies
 * connected here carry it in ACKed configuration, how many rejected it (with a few samples of the exact NACK text),
 * and which run an Envoy version outside the supported range. Pure: built from the {@link PublishLedger} and the
 * {@link SyncTracker}'s proxies; this is the content of the replica's sync report (reports.ts).
 *
 * A proxy counts as ACKed for `policy@generation` when, for every policy-carrying type it has state for (at least
 * one), its ACKed version carries it (a newer version in flight for another policy's change does not make it pending);
 * as rejected when, for such a type, the ACKed version does not carry it while the latest version sent does and was
 * NACKed; otherwise as pending (ADR 0015).
 */
import { envoyVersionOf, isSupportedEnvoy } from '../serve/envoy-version.js';
import type { EnvoyVersionRange } from '../serve/envoy-version.js';
import type { PublishLedger } from './ledger.js';
import { POLICY_TYPE_URLS } from './ledger.js';
import { redactSecrets } from './redact.js';
import type { ProxySyncState, TypeSyncState } from './sync-state.js';

/** A proxy that rejected configuration carrying a policy. */
export interface RejectionSample {
  /** The proxy's name (`node.id`, `<namespace>/<pod>`). */
  proxy: string;
  /** Its type URL. */
  typeUrl: string;
  /** The rejected version. */
  version: string;
  /** The NACK text, as the proxy sent it (bounded, secrets redacted; see redact.ts). */
  message: string;
}

/** A proxy running an Envoy version outside the supported range. */
export interface UnsupportedSample {
  /** The proxy's name. */
  proxy: string;
  /** Its Envoy version (`unknown` when unreadable). */
  version: string;
}

/** The sync state of one policy at one generation, over the proxies connected to one replica. */
export interface PolicySync {
  /** `<namespace>/<name>`. */
  policy: string;
  /** The generation this replica's configuration carries. */
  generation: number;
  /** Connected proxies whose configuration holds the policy. */
  connected: number;
  /** Of those, proxies that ACKed configuration carrying this generation. */
  acked: number;
  /** Of those, proxies that rejected it. */
  rejected: number;
  /** Up to `maxSamples` rejections, sorted by proxy. */
  rejections: RejectionSample[];
  /** Connected proxies running an unsupported Envoy version. */
  unsupported: number;
  /** Up to `maxSamples` of them, sorted by proxy. */
  unsupportedSamples: UnsupportedSample[];
}

/** Settings of {@link summarizeReplica}. */
export interface SummaryOptions {
  /** The supported Envoy range (proxies of other clients, e.g. proxyless gRPC, are never reported). */
  envoyRange: EnvoyVersionRange;
  /** Samples kept per policy (default 3). */
  maxSamples?: number;
  /** Bytes of NACK text kept per sample (default 2048). */
  maxMessageBytes?: number;
}

type ProxyOutcome = { kind: 'acked' } | { kind: 'pending' } | { kind: 'rejected'; sample: RejectionSample };

/** What one proxy's state says about one policy generation. */
function outcomeOf(
  proxy: ProxySyncState,
  ledger: PublishLedger,
  policy: { key: string; generation: number },
): ProxyOutcome {
  const { proxyKey, nodeId } = proxy.stream;
  const carries = (typeUrl: string, version: string | undefined): boolean =>
    version !== undefined &&
    ledger.carries({ proxyKey, typeUrl, version, policy: policy.key, generation: policy.generation });
  let seen = 0;
  let pending = false;
  for (const typeUrl of POLICY_TYPE_URLS) {
    const state: TypeSyncState | undefined = proxy.types.get(typeUrl);
    if (state === undefined) continue;
    seen += 1;
    if (carries(typeUrl, state.acked)) continue;
    const { rejected } = state;
    if (rejected !== undefined && rejected.version === state.sent && carries(typeUrl, rejected.version)) {
      return { kind: 'rejected', sample: { proxy: nodeId, typeUrl, ...rejected } };
    }
    pending = true;
  }
  return seen === 0 || pending ? { kind: 'pending' } : { kind: 'acked' };
}

function emptyEntry(policy: string, generation: number): PolicySync {
  return {
    policy,
    generation,
    connected: 0,
    acked: 0,
    rejected: 0,
    rejections: [],
    unsupported: 0,
    unsupportedSamples: [],
  };
}

function truncate(text: string, maxBytes: number): string {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return text;
  return `${bytes.subarray(0, maxBytes).toString('utf8')}… (truncated)`;
}

function unsupportedVersion(proxy: ProxySyncState, range: EnvoyVersionRange): string | undefined {
  const version = envoyVersionOf(proxy.stream.userAgent);
  return version === undefined || isSupportedEnvoy(version, range) ? undefined : version;
}

/** Adds one proxy's outcome for one policy to its entry. */
function count(entry: PolicySync, outcome: ProxyOutcome, options: Required<SummaryOptions>): void {
  entry.connected += 1;
  if (outcome.kind === 'acked') entry.acked += 1;
  if (outcome.kind !== 'rejected') return;
  entry.rejected += 1;
  if (entry.rejections.length < options.maxSamples) {
    const message = truncate(redactSecrets(outcome.sample.message), options.maxMessageBytes);
    entry.rejections.push({ ...outcome.sample, message });
  }
}

/** Summarises the proxies connected to this replica per policy generation; sorted by policy, then generation. */
export function summarizeReplica(
  ledger: PublishLedger,
  proxies: readonly ProxySyncState[],
  options: SummaryOptions,
): PolicySync[] {
  const settings: Required<SummaryOptions> = { maxSamples: 3, maxMessageBytes: 2048, ...options };
  const entries = new Map<string, PolicySync>();
  for (const proxy of proxies) {
    const unsupported = unsupportedVersion(proxy, settings.envoyRange);
    for (const [key, generation] of ledger.policiesOf(proxy.stream.proxyKey)) {
      const id = `${key}@${generation}`;
      const entry = entries.get(id) ?? emptyEntry(key, generation);
      entries.set(id, entry);
      count(entry, outcomeOf(proxy, ledger, { key, generation }), settings);
      if (unsupported === undefined) continue;
      entry.unsupported += 1;
      if (entry.unsupportedSamples.length < settings.maxSamples) {
        entry.unsupportedSamples.push({ proxy: proxy.stream.nodeId, version: unsupported });
      }
    }
  }
  return [...entries.values()].sort((a, b) =>
    a.policy < b.policy ? -1 : a.policy > b.policy ? 1 : a.generation - b.generation,
  );
}
