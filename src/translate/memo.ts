/**
 * The translate memo (ADR 0033): what a translation can reuse from the previous one, so that a rebuild after a small
 * change costs little while giving exactly what a translation from scratch gives. Created by the caller and passed to
 * each `translate()` (a caller without one gets a translation from scratch); never module-level state.
 *
 * Everything is keyed on content, never on object identity across translations (a provider builds new objects on every
 * read):
 * - validations, on the JSON of the policy object and the validator's options;
 * - prepared policies (references, compilation, coverage), on the JSON of the raw policy plus the fingerprint of every
 *   snapshot read preparing it made (the workloads of a namespace, the Namespaces, one Secret or ConfigMap), recorded
 *   through a RecordingReader;
 * - each workload's built proxy (ProxyIR without outbound, its conflicts, its proxyless findings), on the JSON of its
 *   namespace's workloads (one fingerprint per namespace, see `readVersion`) with its place among them, and the
 *   prepared policies covering it (by identity: a prepared policy is reused only while unchanged);
 * - each service's outbound IR (outbound-memo.ts);
 * - each policy's status, on its prepared entry, conflicts and segmentation overlaps.
 * A memo is used with one configuration (trust domain, cluster domain, validator); another one clears it. Only what
 * the last translation used is kept.
 */
import type { RawPolicy } from '../provider/snapshot.js';
import type { Conflict } from './conflict.js';
import type { UnsupportedFinding } from '../proxyless/limits.js';
import type { ProxyIR } from '../ir/index.js';
import type { SegmentationOverlap } from './segmentation-union.js';
import type { PolicyStatus } from './status.js';
import type { Workload } from '../provider/snapshot.js';
import type { PolicyEntry, PolicyValidator, PrepareContext } from './policy-entry.js';
import type { PolicyValidation, ValidateOptions } from './validate/index.js';
import type { JsonOf, ReadKey, SnapshotIndex } from './snapshot-index.js';
import { objectKey } from './coverage.js';
import { OutboundMemo } from './outbound-memo.js';
import { preparePolicy } from './policy-entry.js';
import { RecordingReader, workloadsKey } from './snapshot-index.js';
import { validatePolicy } from './validate/index.js';

/** One workload's proxy as built, before the outbound side is set. */
export interface BuiltWorkload {
  /** The ProxyIR; its `outbound` is set by the translation. */
  proxy: ProxyIR;
  /** Conflicts met on its ports. */
  conflicts: Conflict[];
  /** What a proxyless workload cannot enforce (empty for Envoy workloads). */
  findings: UnsupportedFinding[];
}

/** How a workload's proxy is built from the prepared policies covering it. */
export type WorkloadBuilder = (
  workload: Workload,
  covering: readonly PolicyEntry[],
  trustDomain: string,
) => BuiltWorkload;

interface PreparedMemo {
  /** JSON of the policy object. */
  object: string;
  /** JSON of the rest of the raw policy (name, namespace, generation, source). */
  rest: string;
  /** Keys of the validations it used (kept while it is). */
  validations: ValidationKey[];
  /** Each snapshot read it made, with the version of what the read returned (see `readVersion`). */
  reads: [ReadKey, number][];
  entry: PolicyEntry;
}

interface StatusMemo {
  entry: PolicyEntry;
  conflicts: readonly Conflict[];
  /** JSON of the segmentation overlaps. */
  overlaps: string;
  status: PolicyStatus;
}

/** How a policy's status is computed (policyStatus). */
export type StatusBuilder = (
  entry: PolicyEntry,
  conflicts: readonly Conflict[],
  overlaps: readonly SegmentationOverlap[] | undefined,
) => PolicyStatus;

interface ProxyMemo {
  /** The version of its namespace's workloads (see `readVersion`) and its place among them: its content. */
  workloads: number;
  position: number;
  covering: readonly PolicyEntry[];
  built: BuiltWorkload;
}

/** The settings a memo's content depends on. */
export interface MemoSettings {
  /** Trust domain of SPIFFE IDs. */
  trustDomain: string;
  /** Cluster DNS domain. */
  clusterDomain: string;
  /** The validator. */
  validate: PolicyValidator;
}

/** A validation's key: the JSON of the validator's options, and of the policy object. */
type ValidationKey = readonly [string, string];

interface RememberedValidation {
  base: PolicyValidator;
  validation: PolicyValidation;
  used: boolean;
}

/** Deletes the entries of `map` whose key is not in `keep`. */
function keepOnly(map: Map<string, unknown>, keep: ReadonlySet<string>): void {
  for (const key of map.keys()) if (!keep.has(key)) map.delete(key);
}

function sameRefs(a: readonly unknown[], b: readonly unknown[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** See the module comment. */
export class TranslateMemo {
  private settings: MemoSettings | undefined;
  private readonly jsonCache = new Map<object, string>();
  /** Validations by the JSON of the validator's options, then of the policy object. */
  private readonly validations = new Map<string, Map<string, RememberedValidation>>();
  private prepared = new Map<string, PreparedMemo>();
  private proxies = new Map<string, ProxyMemo>();
  private statuses = new Map<string, StatusMemo>();
  private seenPolicies = new Set<string>();
  private seenWorkloads = new Set<string>();
  private readVersions = new Map<ReadKey, { print: string; version: number; round: number }>();
  private versions = 0;
  private round = 0;
  private index: SnapshotIndex | undefined;
  /** The outbound memo (outbound-memo.ts). */
  readonly outbound = new OutboundMemo(
    (value) => this.json(value),
    () => this.workloadVersions(),
  );

  /**
   * JSON of a snapshot object, cached per object until the translation ends (a Map cleared then: within one rebuild the objects do not
   * change; across rebuilds nothing is assumed about them).
   */
  readonly json: JsonOf = (value) => {
    let text = this.jsonCache.get(value);
    if (text === undefined) {
      text = JSON.stringify(value);
      this.jsonCache.set(value, text);
    }
    return text;
  };

  /** A validator that remembers `base`'s outcomes by content; share it with whatever validates before translating. */
  validator(base: PolicyValidator = validatePolicy): PolicyValidator {
    return (object, options) => this.validate(base, object, options, []);
  }

  /** Forgets everything. */
  reset(): void {
    this.settings = undefined;
    this.jsonCache.clear();
    this.validations.clear();
    this.prepared.clear();
    this.proxies.clear();
    this.statuses.clear();
    this.seenPolicies.clear();
    this.seenWorkloads.clear();
    this.readVersions.clear();
    this.outbound.reset();
  }

  /**
   * Starts a translation of the snapshot `index` indexes, with these settings (another configuration than last time
   * clears the memo).
   */
  begin(settings: MemoSettings, index: SnapshotIndex): void {
    this.index = index;
    const last = this.settings;
    const same =
      last !== undefined &&
      last.trustDomain === settings.trustDomain &&
      last.clusterDomain === settings.clusterDomain &&
      last.validate === settings.validate;
    if (!same) this.reset();
    this.settings = settings;
  }

  /** The prepared policy: remembered while the raw policy and everything its preparation read are unchanged. */
  entry(raw: RawPolicy, ctx: PrepareContext): PolicyEntry {
    const index = this.current();
    const key = objectKey(raw);
    this.seenPolicies.add(key);
    const object = this.json(raw.object);
    const rest = JSON.stringify({ ...raw, object: undefined });
    const previous = this.prepared.get(key);
    const same = previous?.object === object && previous.rest === rest;
    if (same && previous.reads.every(([read, version]) => this.readVersion(read) === version)) {
      for (const used of previous.validations) this.markUsed(used);
      return previous.entry;
    }
    const reader = new RecordingReader(index);
    const validations: ValidationKey[] = [];
    const validate: PolicyValidator = (object, options) =>
      this.validate(ctx.validate, object, options, validations);
    const entry = preparePolicy(raw, { ...ctx, reader, validate });
    const reads = [...reader.reads].map((read): [ReadKey, number] => [read, this.readVersion(read)]);
    this.prepared.set(key, { object, rest, validations, reads, entry });
    return entry;
  }

  /**
   * The built proxy of a workload, remembered while the workload and the prepared policies covering it are
   * unchanged. Returns a fresh ProxyIR object (sharing the remembered fields), so setting its outbound side never
   * touches an earlier translation's result.
   */
  proxy(
    workload: Workload,
    covering: readonly PolicyEntry[],
    trustDomain: string,
    build: WorkloadBuilder,
  ): BuiltWorkload {
    const key = objectKey(workload);
    this.seenWorkloads.add(key);
    const workloads = this.readVersion(workloadsKey(workload.namespace));
    const position = this.current().positionOf(workload) ?? -1;
    const previous = this.proxies.get(key);
    const same = previous?.workloads === workloads && previous.position === position && position >= 0;
    let built: BuiltWorkload;
    if (same && sameRefs(previous.covering, covering)) built = previous.built;
    else {
      built = build(workload, covering, trustDomain);
      this.proxies.set(key, { workloads, position, covering, built });
    }
    return { ...built, proxy: { ...built.proxy } };
  }

  /**
   * The version of what a snapshot read returns: the same number while its fingerprint (snapshot-index.ts) is
   * unchanged, a new one (never reused) when it changes. Each read's fingerprint is compared once per translation.
   */
  private readVersion(read: ReadKey): number {
    const known = this.readVersions.get(read);
    if (known?.round === this.round) return known.version;
    const print = this.current().fingerprint(read);
    if (known?.print === print) {
      known.round = this.round;
      return known.version;
    }
    this.versions += 1;
    this.readVersions.set(read, { print, version: this.versions, round: this.round });
    return this.versions;
  }

  /** The index of the translation running. */
  private current(): SnapshotIndex {
    if (this.index === undefined) throw new Error('TranslateMemo used outside a translation (aspen bug)');
    return this.index;
  }

  /** Per namespace with workloads, the version of its workloads: what the outbound side reads of them. */
  private workloadVersions(): unknown[] {
    return this.current()
      .workloadNamespaces()
      .flatMap((namespace) => [namespace, this.readVersion(workloadsKey(namespace))]);
  }

  private markUsed(key: ValidationKey): void {
    const found = this.validations.get(key[0])?.get(key[1]);
    if (found !== undefined) found.used = true;
  }

  /**
   * A policy's status, remembered while its prepared entry (by identity), its conflicts (by identity: they come from
   * remembered proxies) and its segmentation overlaps (by JSON) are unchanged. Statuses are immutable once returned.
   */
  status(
    entry: PolicyEntry,
    conflicts: readonly Conflict[],
    overlaps: readonly SegmentationOverlap[] | undefined,
    build: StatusBuilder,
  ): PolicyStatus {
    const previous = this.statuses.get(entry.key);
    const overlapsJson = overlaps === undefined ? '' : JSON.stringify(overlaps);
    const same =
      previous?.entry === entry &&
      previous.overlaps === overlapsJson &&
      sameRefs(previous.conflicts, conflicts);
    if (same) return previous.status;
    const status = build(entry, conflicts, overlaps);
    this.statuses.set(entry.key, { entry, conflicts, overlaps: overlapsJson, status });
    return status;
  }

  /** Ends a translation: forgets what it did not use, and the cached JSON. */
  end(): void {
    keepOnly(this.prepared, this.seenPolicies);
    keepOnly(this.proxies, this.seenWorkloads);
    keepOnly(this.statuses, this.seenPolicies);
    for (const byObject of this.validations.values()) {
      for (const [key, v] of byObject) {
        if (v.used) v.used = false;
        else byObject.delete(key);
      }
    }
    for (const [read, known] of this.readVersions)
      if (known.round !== this.round) this.readVersions.delete(read);
    this.seenPolicies.clear();
    this.seenWorkloads.clear();
    this.jsonCache.clear();
    this.index = undefined;
    this.round += 1;
  }

  private validate(
    base: PolicyValidator,
    object: Record<string, unknown>,
    options: ValidateOptions,
    keys: ValidationKey[],
  ): PolicyValidation {
    const key: ValidationKey = [JSON.stringify(options), this.json(object)];
    keys.push(key);
    const found = this.validations.get(key[0])?.get(key[1]);
    if (found?.base === base) {
      found.used = true;
      return found.validation;
    }
    const validation = base(object, options);
    const byObject = this.validations.get(key[0]) ?? new Map<string, RememberedValidation>();
    byObject.set(key[1], { base, validation, used: true });
    this.validations.set(key[0], byObject);
    return validation;
  }
}
