/**
 * The validator behind `/validate`: {@link validatePolicy}, the one validator `aspen validate` and the translator
 * use, decides what is refused. For a valid policy the audit rules run over the translator's view of the cluster
 * with this policy in it (the controller's current snapshot, or the policy alone), and the findings about this
 * policy become admission warnings. Only the part of the snapshot that can change those findings is translated (its
 * namespace's Secrets and ConfigMaps, the workloads it selects and the policies covering them; see
 * `context.ts` and ADR 0032), so a review costs about as much as translating its own policy, whatever the size of
 * the cluster.
 */
import { runAuditRules } from '../../audit/index.js';
import type { Finding } from '../../audit/index.js';
import type { ApiSecurityPolicy } from '../../api/v1alpha1/types.js';
import type { RawPolicy, ResourceSnapshot } from '../../provider/snapshot.js';
import { emptySnapshot } from '../../provider/snapshot.js';
import type { Problem } from '../../translate/problem.js';
import { translate } from '../../translate/translate.js';
import { LatestIndex } from './context.js';
import { ValidationMemo } from './memo.js';

/** What the validator concluded. */
export interface PolicyVerdict {
  /** Problems: any problem refuses the object. */
  readonly problems: readonly Problem[];
  /** Admission warnings. */
  readonly warnings: readonly string[];
}

/** Validates one aspen.dev object as sent to the webhook. */
export type PolicyValidator = (
  object: Record<string, unknown>,
  context: { readonly namespace: string },
) => PolicyVerdict | Promise<PolicyVerdict>;

/** Options of {@link policyValidator}. */
export interface PolicyValidatorOptions {
  /** Trust domain of workload identities (for the translator). */
  readonly trustDomain: string;
  /** The controller's current snapshot, for audit warnings in context; the policy alone when absent. */
  readonly snapshot?: () => ResourceSnapshot | undefined;
}

function rawPolicy(object: Record<string, unknown>, namespace: string, name: string): RawPolicy {
  const metadata = object.metadata as { generation?: unknown } | undefined;
  const generation = typeof metadata?.generation === 'number' ? metadata.generation : 0;
  return {
    namespace,
    name,
    apiVersion: String(object.apiVersion),
    kind: String(object.kind),
    generation,
    object,
  };
}

function formatFinding(finding: Finding): string {
  const field = finding.field === undefined ? '' : `${finding.field}: `;
  return `aspen audit ${finding.ruleId} (${finding.severity}): ${field}${finding.message}`;
}

function auditWarnings(
  raw: RawPolicy,
  policy: ApiSecurityPolicy,
  context: { options: PolicyValidatorOptions; index: LatestIndex; memo: ValidationMemo },
): string[] {
  const { options, index, memo } = context;
  const base = options.snapshot?.() ?? emptySnapshot();
  const snapshot = index.of(base).neighbourhood(raw, policy.spec.selector);
  const translated = translate(snapshot, { trustDomain: options.trustDomain, validate: memo.validate });
  const findings = runAuditRules({ snapshot, ...translated });
  return findings
    .filter(
      (f) => f.object.kind === raw.kind && f.object.namespace === raw.namespace && f.object.name === raw.name,
    )
    .map(formatFinding);
}

/** The default validator: refusals from `validatePolicy`, warnings from the audit rules. */
export function policyValidator(options: PolicyValidatorOptions): PolicyValidator {
  const index = new LatestIndex();
  const memo = new ValidationMemo();
  return (object, context) => {
    const result = memo.validate(object, { namespace: context.namespace });
    if (result.problems.length > 0 || result.policy === undefined) {
      return { problems: result.problems, warnings: [] };
    }
    const { namespace = context.namespace, name } = result.policy.metadata;
    const raw = rawPolicy(object, namespace, name);
    return { problems: [], warnings: auditWarnings(raw, result.policy, { options, index, memo }) };
  };
}
