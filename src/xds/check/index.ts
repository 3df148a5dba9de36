/** Checks of Envoy resources before they are published: PGV rules and load-time references. */
export { assertValid, checkResources, InvalidResourcesError } from './check.js';
export type { CheckOptions, CheckProblem } from './check.js';
export { checkMessage } from './message.js';
export { formatProblem } from './problem.js';
export { SUPPORTED_RULE_KINDS, uncheckedRuleKinds } from './rules.js';
export { re2Problem } from './re2.js';
export { formatViolation } from './violation.js';
export type { RuleViolation } from './violation.js';
