/**
 * The API-key check (`envoy.service.auth.v3.Authorization/Check`) for an authenticated caller: reads the call's
 * metadata, decides (decide.ts), applies the caller's failure budget (caller-budget.ts) and answers (answer.ts).
 * Logs name the caller and the client id, never a key.
 */
import type { CheckRequest, CheckResponse } from '../../gen/envoy/service/auth/v3/external_auth.js';
import type { Clock, Logger } from '../../xds/server/types.js';
import type { CallerIdentity } from '../identity.js';
import type { KeyHasher } from '../key-hash.js';
import type { DataplaneMetrics } from '../metrics.js';
import type { DataplaneState } from '../state.js';
import { allowClient, allowUnchanged, auditClient, auditUnknown, deny } from './answer.js';
import type { CallerBudget } from './caller-budget.js';
import type { CheckContext } from './decide.js';
import { decide, presentedKey } from './decide.js';

/** What the check reads. */
export interface ApiKeyDeps {
  /** The current state. */
  state: () => DataplaneState;
  /** The process's key hasher. */
  hasher: KeyHasher;
  /** Failed-check budgets per caller. */
  budget: CallerBudget;
  /** Time of the budgets. */
  clock: Clock;
  /** Where refusals are logged (caller and reason only). */
  logger: Logger;
  /** Counters. */
  metrics: DataplaneMetrics;
}

/** Answers one check. */
export function checkApiKey(
  request: CheckRequest,
  context: CheckContext,
  caller: CallerIdentity,
  deps: ApiKeyDeps,
): CheckResponse {
  const nowMs = deps.clock.now().getTime();
  const audit = context.mode === 'audit';
  if (!deps.budget.allows(caller.spiffeId, nowMs) && presentedKey(request, context.source) !== undefined) {
    deps.metrics.apiKeyCheck(context.mode, 'caller_limited');
    deps.logger.warn(
      { caller: caller.spiffeId },
      'API-key check refused: the caller exceeded its failed-check budget',
    );
    return audit ? allowUnchanged() : deny('caller-limited');
  }
  const decision = decide(request, context, {
    state: deps.state(),
    hasher: deps.hasher,
    callerNamespace: caller.namespace,
  });
  if (decision.kind === 'no-key') {
    deps.metrics.apiKeyCheck(context.mode, 'no_key');
    return allowUnchanged();
  }
  if (decision.kind === 'client') {
    deps.metrics.apiKeyCheck(context.mode, 'client');
    deps.logger.debug({ caller: caller.spiffeId, client: decision.client.id }, 'API key accepted');
    return audit ? auditClient(decision.client.name) : allowClient(decision.client.name);
  }
  deps.budget.fail(caller.spiffeId, nowMs);
  deps.metrics.apiKeyCheck(context.mode, 'unknown_key');
  deps.logger.info({ caller: caller.spiffeId, mode: context.mode }, 'unknown API key');
  return audit ? auditUnknown() : deny('unknown-key');
}
