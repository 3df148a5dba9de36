/** Rules about workloads that no policy selects, judged on what their proxies actually enforce (the IR). */
import type { ProxyIR } from '../../ir/index.js';
import type { AuditRule, RuleHit } from '../rule.js';

/**
 * Proxies of workloads no policy selects. A workload selected only by invalid policies also has no `policies`,
 * but its ports fail closed; ASP003 reports those, on the policy.
 */
function unselected(proxies: readonly ProxyIR[]): ProxyIR[] {
  return proxies.filter(
    (p) => p.policies.length === 0 && p.ports.every((port) => port.failClosed.length === 0),
  );
}

/** True when the mesh defaults this proxy runs with allow requests no rule matches. */
function defaultsAllow(proxy: ProxyIR): boolean {
  return proxy.ports.some((p) => p.enforce.authorization.defaultAction === 'Allow');
}

function workloadHit(proxy: ProxyIR, message: string, hint: string): RuleHit {
  const { kind, namespace, name } = proxy.workload;
  return { object: { kind, namespace, name }, message, hint };
}

/**
 * ASP001: a workload no policy selects. It runs with the mesh defaults, STRICT mTLS and deny-all, so every request
 * to it is refused: not a hole, but either a forgotten policy (a selector typo, a new Deployment) or a workload
 * that should not be in the mesh. Low, because it fails closed.
 */
export const workloadUnselected: AuditRule = {
  id: 'ASP001',
  severity: 'low',
  title: 'Workload selected by no policy (mesh defaults deny every request)',
  check: (input) =>
    unselected(input.proxies)
      .filter((p) => !defaultsAllow(p))
      .map((p) =>
        workloadHit(
          p,
          'no ApiSecurityPolicy selects this workload; the mesh defaults (STRICT mTLS, deny all) refuse every request to it',
          'write an ApiSecurityPolicy whose spec.selector matches the workload labels and allows the callers it needs',
        ),
      ),
};

/**
 * ASP002: a workload no policy selects, where the mesh defaults are configured to allow requests no rule matches.
 * Anyone who can reach the workload can call every endpoint, write methods included. High.
 */
export const workloadUnselectedOpen: AuditRule = {
  id: 'ASP002',
  severity: 'high',
  title: 'Workload selected by no policy while the mesh defaults allow requests',
  check: (input) =>
    unselected(input.proxies)
      .filter(defaultsAllow)
      .map((p) =>
        workloadHit(
          p,
          'no ApiSecurityPolicy selects this workload and the mesh defaults allow every request to it',
          'write an ApiSecurityPolicy selecting the workload (authorization defaults to Deny), or make the mesh default deny',
        ),
      ),
};
