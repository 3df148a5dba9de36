/**
 * Logging policy status changes once: the translator recomputes every status on every rebuild, so only a status that
 * differs from the previous build's is logged (a rejected policy is a warning with its field paths).
 */
import { formatPath } from '../translate/problem.js';
import { ConditionType } from '../translate/status.js';
import type { PolicyStatus } from '../translate/status.js';
import type { Logger } from '../xds/server/types.js';

/** Per policy (`<namespace>/<name>`), a fingerprint of its last logged status. */
export type StatusMemory = ReadonlyMap<string, string>;

function fingerprint(status: PolicyStatus): string {
  const conditions = status.conditions.map((c) => [c.type, c.status, c.reason, c.message]);
  return JSON.stringify([conditions, status.problems]);
}

function logStatus(logger: Logger, status: PolicyStatus): void {
  const policy = `${status.namespace}/${status.name}`;
  const accepted = status.conditions.find((c) => c.type === ConditionType.Accepted);
  const fields = {
    policy,
    accepted: accepted?.status,
    reason: accepted?.reason,
    workloads: status.workloads,
    problems: status.problems.map((p) => `${formatPath(p.path)}: ${p.message}`),
  };
  if (accepted?.status === 'True' && status.problems.length === 0)
    logger.info(fields, 'policy status changed');
  else logger.warn(fields, 'policy status changed: not (fully) accepted; its routes fail closed');
}

/** Logs each status that changed since `memory` (and each policy that disappeared); returns the new memory. */
export function logStatusChanges(
  logger: Logger,
  statuses: readonly PolicyStatus[],
  memory: StatusMemory,
): StatusMemory {
  const next = new Map<string, string>();
  for (const status of statuses) {
    const key = `${status.namespace}/${status.name}`;
    const print = fingerprint(status);
    next.set(key, print);
    if (memory.get(key) !== print) logStatus(logger, status);
  }
  for (const key of memory.keys()) {
    if (!next.has(key)) logger.info({ policy: key }, 'policy removed');
  }
  return next;
}
