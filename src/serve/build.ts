/**
 * One rebuild's stages: load the directory into IR (the only effect: reading files), then, per proxy, translate to
 * Envoy resources, check them (nothing unchecked is published) and encode them for the snapshot cache. Loading is
 * all or nothing: any input problem fails the whole load, so a half-written `kubectl apply`-style change is never
 * served.
 */
import type { ApiSecurityPolicy } from '../api/v1alpha1/types.js';
import type { ProxyIR } from '../ir/index.js';
import type { DataObject, RawPolicy, ResourceSnapshot } from '../provider/snapshot.js';
import type { PolicyStatus } from '../translate/status.js';
import type { TranslateMemo } from '../translate/memo.js';
import { translate } from '../translate/translate.js';
import { checkResources, formatProblem } from '../xds/check/check.js';
import type { EncodedResource, SnapshotInput } from '../xds/cache/snapshot.js';
import { packResource } from '../xds/proto/any.js';
import type { XdsTranslateConfig } from '../xds/translate/config.js';
import { TRUST_BUNDLE_SECRET, WORKLOAD_CERT_SECRET } from '../xds/translate/names.js';
import { byTypeUrl } from '../xds/translate/resources.js';
import type { XdsResources } from '../xds/translate/resources.js';
import { translateForDataPlane } from '../xds/translate/proxyless/translate.js';
import { SECRET_TYPE_URL } from '../xds/sds/secrets.js';
import { keepLastGood, type LastGoodPolicies, type RefusedEdit } from './last-good.js';
import type { SecretSource } from './secrets.js';
import { readDirectory } from './source.js';
import type { SourceRead } from './source.js';

/** SDS secrets every proxy can obtain from aspen's SDS server (workload certificate, trust bundle). */
export const SDS_SECRETS: readonly string[] = [WORKLOAD_CERT_SECRET, TRUST_BUNDLE_SECRET];

/** How a rebuild translates, whatever the source. */
export interface TranslateSettings {
  /** SPIFFE trust domain. */
  trustDomain: string;
  /** IR → Envoy settings. */
  xds: XdsTranslateConfig;
}

/** What a directory rebuild reads and how it translates. */
export interface BuildSettings extends TranslateSettings {
  /** The served directory. */
  dir: string;
  /** Namespace of objects whose manifest names none. */
  defaultNamespace: string;
}

/** The result of loading the directory: the IR and policy statuses, or why nothing can be built. */
export type LoadOutcome =
  | {
      ok: true;
      proxies: ProxyIR[];
      statuses: PolicyStatus[];
      /** The valid policies, defaulted (translate()'s). */
      policies: ApiSecurityPolicy[];
      /** The last valid version of every policy, for the next load. */
      lastGood: Map<string, RawPolicy>;
      /** Invalid edits refused: their policies' last valid versions stay in force. */
      refused: RefusedEdit[];
      /** The raw policies translated (last valid versions kept), for the dataplane and the admin status. */
      rawPolicies: RawPolicy[];
      /** The Secrets read (values never logged), for the dataplane's API-key hashes. */
      secrets: DataObject[];
    }
  | { ok: false; problems: string[] };

/**
 * Translates one read of a source. A failed read fails the load. Invalid policies do not: an invalid edit of a
 * policy that was valid before is refused and its last valid version stays in force (`memory`, see last-good.ts);
 * a policy that was never valid fails closed and is reported in its status.
 */
export function translateRead(
  read: SourceRead,
  trustDomain: string,
  memory: LastGoodPolicies = new Map(),
  memo?: TranslateMemo,
): LoadOutcome {
  if (!read.ok) return { ok: false, problems: read.problems };
  return translateSnapshot(read.snapshot, trustDomain, memory, memo);
}

/**
 * Translates a snapshot with the last-good rule (see {@link translateRead}); with the caller's translate memo when
 * given (the same result, computed incrementally, see translate/memo.ts). Pure apart from the memo.
 */
export function translateSnapshot(
  snapshot: ResourceSnapshot,
  trustDomain: string,
  memory: LastGoodPolicies = new Map(),
  memo?: TranslateMemo,
): LoadOutcome & { ok: true } {
  const { policies, lastGood, refused } = keepLastGood(snapshot.policies, memory, memo?.validator());
  const translated = translate({ ...snapshot, policies }, { trustDomain }, memo);
  const { proxies, statuses } = translated;
  return {
    ok: true,
    proxies,
    statuses,
    policies: translated.policies,
    lastGood,
    refused,
    rawPolicies: policies,
    secrets: snapshot.secrets,
  };
}

/** Reads the directory (see source.ts) and translates it (see {@link translateRead}). */
export async function loadDirectory(
  settings: BuildSettings,
  memory: LastGoodPolicies = new Map(),
): Promise<LoadOutcome> {
  return translateRead(await readDirectory(settings), settings.trustDomain, memory);
}

/** One proxy's encoded snapshot, or the check problems that keep it from being published. */
export type ProxyBuild =
  { proxyKey: string; ok: true; input: SnapshotInput } | { proxyKey: string; ok: false; problems: string[] };

/** The translation and check stages, injectable so tests can make the check fail. */
export interface ProxyStages {
  /** IR → Envoy. */
  translateProxy: (proxy: ProxyIR, config: XdsTranslateConfig) => XdsResources;
  /** The publishing gate: every problem, or none. */
  check: (resources: XdsResources) => string[];
}

/** The real stages. */
export const defaultStages: ProxyStages = {
  translateProxy: translateForDataPlane,
  check: (resources) => checkResources(resources, { sdsSecrets: [...SDS_SECRETS] }).map(formatProblem),
};

/** Packs each resource into an Any, per type URL. Empty types are left out (an absent type is served empty). */
export function encodeResources(resources: XdsResources): SnapshotInput {
  const input: Record<string, EncodedResource[]> = {};
  for (const { typeUrl, resources: named } of byTypeUrl(resources)) {
    if (named.length === 0) continue;
    input[typeUrl] = named.map(({ name, message }) => ({ name, encoded: packResource(message) }));
  }
  return input;
}

/** Translates, checks and encodes one proxy. Pure. */
export function buildProxy(proxy: ProxyIR, config: XdsTranslateConfig, stages = defaultStages): ProxyBuild {
  const resources = stages.translateProxy(proxy, config);
  const problems = stages.check(resources);
  if (problems.length > 0) return { proxyKey: proxy.key, ok: false, problems };
  return { proxyKey: proxy.key, ok: true, input: encodeResources(resources) };
}

/**
 * Adds the proxy's Secret type (from `secrets`) to a successful build; a proxy without secrets fails the build, so it
 * keeps its previous snapshot. Without a secret source the build is returned as is.
 */
export function withSecrets(build: ProxyBuild, secrets: SecretSource | undefined): ProxyBuild {
  if (!build.ok || secrets === undefined) return build;
  const resources = secrets.resourcesFor(build.proxyKey);
  if (typeof resources === 'string') return { proxyKey: build.proxyKey, ok: false, problems: [resources] };
  return { ...build, input: { ...build.input, [SECRET_TYPE_URL]: resources } };
}
