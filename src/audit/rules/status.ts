/** Rules about policies the translator could not accept, read from their statuses. */
import type { ProxyIR } from '../../ir/index.js';
import { POLICY_KIND } from '../../api/group.js';
import { formatPath, type Problem } from '../../translate/problem.js';
import { ConditionType, Reason, type ConditionIR, type PolicyStatus } from '../../translate/status.js';
import type { AuditRule, RuleHit } from '../rule.js';
import { nameList } from '../rule.js';

/** Reasons for which a policy is not enforced at all (its Enforce-mode ports fail closed). */
const REJECTED: readonly string[] = [
  Reason.Invalid,
  Reason.UnsupportedVersion,
  Reason.RefNotFound,
  Reason.InvalidRef,
];

function failing(status: PolicyStatus, reasons: readonly string[]): ConditionIR | undefined {
  const types: readonly string[] = [ConditionType.Accepted, ConditionType.ResolvedRefs];
  return status.conditions.find(
    (c) => types.includes(c.type) && c.status === 'False' && reasons.includes(c.reason),
  );
}

/**
 * The problem a condition is about: the translator starts a condition message with the field path of its first
 * problem (`spec.mtls.mode: ...`), so a policy both conflicted and unresolved gets the right field for each.
 */
function problemOf(status: PolicyStatus, condition: ConditionIR): Problem | undefined {
  const matching = status.problems.find((p) => condition.message.startsWith(`${formatPath(p.path)}: `));
  return matching ?? (condition.message === '' ? status.problems[0] : undefined);
}

/** Field path and text (without the field path) for a finding about a failing condition. */
function detail(status: PolicyStatus, condition: ConditionIR): { field?: string; text: string } {
  const problem = problemOf(status, condition);
  if (problem === undefined) return { text: condition.message };
  const field = formatPath(problem.path);
  const text = condition.message === '' ? problem.message : condition.message.slice(field.length + 2);
  return { ...(field === '' ? {} : { field }), text };
}

/** Workloads whose proxies deny everything on some port because of this policy. */
function failClosedWorkloads(proxies: readonly ProxyIR[], policy: string): string[] {
  return proxies
    .filter((p) => p.ports.some((port) => port.failClosed.some((f) => f.policy === policy)))
    .map((p) => p.key);
}

/** A finding on the policy of a status; `message` composes the text of the condition into the finding message. */
function statusHit(
  status: PolicyStatus,
  condition: ConditionIR,
  message: (text: string) => string,
  hint: string,
): RuleHit {
  const { field, text } = detail(status, condition);
  return {
    object: { kind: POLICY_KIND, namespace: status.namespace, name: status.name },
    ...(field === undefined ? {} : { field }),
    message: message(text),
    hint,
  };
}

function rejectedHit(status: PolicyStatus, condition: ConditionIR, proxies: readonly ProxyIR[]): RuleHit {
  const closed = failClosedWorkloads(proxies, `${status.namespace}/${status.name}`);
  const impact =
    closed.length > 0
      ? `every request to ${nameList(closed)} on the ports it covers is denied (fail closed)`
      : 'nothing it configures is enforced';
  const reason = `${condition.type}=False, ${condition.reason}`;
  return statusHit(
    status,
    condition,
    (text) => `policy not accepted (${reason})${text === '' ? '' : `: ${text}`}; ${impact}`,
    'run `aspen validate` on the manifest and fix every problem (or create the missing Secret/ConfigMap) until Accepted and ResolvedRefs are True',
  );
}

/**
 * ASP003: a policy that is invalid, in an unsupported version, or references a Secret/ConfigMap that is missing
 * or unusable. Aspen fails closed: every Enforce-mode port the policy covers denies every request, so its
 * workloads are down, and none of its protections can be relied upon. High.
 */
export const policyRejected: AuditRule = {
  id: 'ASP003',
  severity: 'high',
  title: 'Policy invalid or with unresolved references (its workloads deny every request)',
  check: (input) =>
    input.statuses.flatMap((s) => {
      const condition = failing(s, REJECTED);
      return condition === undefined ? [] : [rejectedHit(s, condition, input.proxies)];
    }),
};

function conflictText(text: string): string {
  return text === '' ? '; the stricter setting is enforced' : `: ${text}`;
}

/**
 * ASP004: a policy whose settings cannot be combined with another policy selecting the same workload. The
 * workload gets the stricter setting, so nothing opens up, but what is enforced is not what this policy says and
 * may refuse callers its author meant to allow. Medium.
 */
export const policyConflicted: AuditRule = {
  id: 'ASP004',
  severity: 'medium',
  title: 'Policy conflicts with another policy on the same workload',
  check: (input) =>
    input.statuses.flatMap((s) => {
      const condition = failing(s, [Reason.Conflicted]);
      if (condition === undefined) return [];
      return [
        statusHit(
          s,
          condition,
          (text) => `policy conflicts with another policy on the same workload${conflictText(text)}`,
          'make the policies agree on the conflicting setting, or narrow their selectors so each workload has one owner',
        ),
      ];
    }),
};
