/** One policy as the translator sees it: validated, references resolved, compiled, and its coverage. */
import type { ApiSecurityPolicy } from '../api/v1alpha1/types.js';
import type { RawPolicy, ResourceSnapshot } from '../provider/snapshot.js';
import type { CompiledPolicy } from './compiled.js';
import type { Coverage } from './coverage.js';
import type { RefProblem } from './refs.js';
import type { PolicyValidation, ValidateOptions } from './validate/index.js';
import { compilePolicy } from './compile.js';
import { coverage, objectKey } from './coverage.js';
import { resolveRefs } from './refs.js';
import { readSelector } from './select.js';
import type { SnapshotReader } from './snapshot-index.js';
import { Reason } from './status.js';

/** Validates one policy object (as read) and returns it defaulted, or its problems (see validatePolicy). */
export type PolicyValidator = (object: Record<string, unknown>, options: ValidateOptions) => PolicyValidation;

/** What preparing a policy needs. */
export interface PrepareContext {
  /** The snapshot the policy came from. */
  snapshot: ResourceSnapshot;
  /** Trust domain of SPIFFE IDs. */
  trustDomain: string;
  /** The validator. */
  validate: PolicyValidator;
  /** How the snapshot is read (an index of `snapshot`; the memo's recording reader). */
  reader: SnapshotReader;
}

/** Everything the translator learns about one policy before building proxies. */
export interface PolicyEntry {
  /** `<namespace>/<name>`. */
  key: string;
  /** The policy as read. */
  raw: RawPolicy;
  /** What the validator said. */
  validation: PolicyValidation;
  /** The valid, defaulted policy; absent when invalid. */
  policy?: ApiSecurityPolicy;
  /** The policy compiled to IR fragments; absent when invalid. */
  compiled?: CompiledPolicy;
  /** References that do not resolve (valid policies only). */
  refProblems: RefProblem[];
  /** The workloads it selects and the ports it covers on each. */
  coverage: Coverage;
  /** The status reason for which its ports deny every request (Enforce mode, invalid or unresolved); else absent. */
  failClosed?: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readPorts(value: unknown): number[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const ports = value.filter((p): p is number => typeof p === 'number');
  return ports.length === value.length ? ports : undefined;
}

/**
 * An invalid policy still fails closed where it can: when its selector can be read and its mode is not Audit, every
 * port it would cover denies every request. Its ports are read leniently: unreadable ports mean all ports.
 */
function prepareInvalid(raw: RawPolicy, validation: PolicyValidation, ctx: PrepareContext): PolicyEntry {
  const spec = isRecord(raw.object.spec) ? raw.object.spec : {};
  const selector = readSelector(spec.selector);
  const entry: PolicyEntry = { key: objectKey(raw), raw, validation, refProblems: [], coverage: new Map() };
  if (selector === undefined) return entry;
  entry.coverage = coverage(
    ctx.reader.workloadsIn(raw.namespace),
    raw.namespace,
    selector,
    readPorts(spec.ports),
  );
  if (spec.mode !== 'Audit') entry.failClosed = validation.reason ?? Reason.Invalid;
  return entry;
}

function prepareValid(
  raw: RawPolicy,
  policy: ApiSecurityPolicy,
  validation: PolicyValidation,
  ctx: PrepareContext,
): PolicyEntry {
  const key = objectKey(raw);
  const refs = resolveRefs(policy, raw.namespace, ctx.reader);
  const { trustDomain, snapshot, reader } = ctx;
  const compileCtx = { trustDomain, snapshot, reader, namespace: raw.namespace, key };
  const compiled = compilePolicy(policy, compileCtx, refs.jwks);
  const entry: PolicyEntry = {
    key,
    raw,
    validation,
    policy,
    compiled,
    refProblems: refs.problems,
    coverage: coverage(
      reader.workloadsIn(raw.namespace),
      raw.namespace,
      policy.spec.selector,
      policy.spec.ports,
    ),
  };
  const firstRef = refs.problems[0];
  if (firstRef !== undefined && compiled.mode === 'Enforce') entry.failClosed = firstRef.reason;
  return entry;
}

/** Validates, resolves, compiles and selects for one policy. Never throws on user errors. */
export function preparePolicy(raw: RawPolicy, ctx: PrepareContext): PolicyEntry {
  const validation = ctx.validate(raw.object, { namespace: raw.namespace });
  if (validation.policy === undefined || validation.problems.length > 0)
    return prepareInvalid(raw, validation, ctx);
  return prepareValid(raw, validation.policy, validation, ctx);
}
