/**
 * Prometheus metrics of the dataplane, on an injected Registry: API-key checks, global rate-limit decisions, and,
 * from the access-log stream, requests and denials by workload, policy, rule and reason.
 */
import { Counter } from 'prom-client';
import type { Registry } from 'prom-client';
import type { GlobalLimit } from './state.js';

/** The dataplane's counters. */
export class DataplaneMetrics {
  private readonly apiKeyChecks: Counter<'mode' | 'result'>;
  private readonly callerLimited: Counter;
  private readonly rateLimits: Counter<'policy' | 'rule' | 'result'>;
  private readonly rateLimitErrors: Counter<'backend'>;
  private readonly rateLimitRefusals: Counter;
  private readonly requests: Counter<'workload' | 'policy' | 'rule' | 'decision'>;
  private readonly denials: Counter<'workload' | 'policy' | 'rule' | 'reason'>;
  private readonly refusedCallers: Counter<'reason'>;

  /** Registers every metric on `registry`. */
  constructor(registry: Registry) {
    const registers = [registry];
    this.apiKeyChecks = new Counter({
      name: 'aspen_dataplane_api_key_checks_total',
      help: 'API-key checks by mode (enforce|audit) and result (client|unknown_key|no_key|caller_limited)',
      labelNames: ['mode', 'result'],
      registers,
    });
    this.callerLimited = new Counter({
      name: 'aspen_dataplane_api_key_caller_limited_total',
      help: 'API-key checks refused because the caller exceeded its budget of failed checks',
      registers,
    });
    this.rateLimits = new Counter({
      name: 'aspen_dataplane_rate_limit_decisions_total',
      help: 'Global rate-limit descriptors by policy, rule and result (ok|over_limit)',
      labelNames: ['policy', 'rule', 'result'],
      registers,
    });
    this.rateLimitErrors = new Counter({
      name: 'aspen_dataplane_rate_limit_backend_errors_total',
      help: 'Global rate-limit takes that failed because the counters could not be reached',
      labelNames: ['backend'],
      registers,
    });
    this.rateLimitRefusals = new Counter({
      name: 'aspen_dataplane_rate_limit_refused_requests_total',
      help: 'ShouldRateLimit calls refused as malformed, hostile or naming unknown limits',
      registers,
    });
    this.requests = new Counter({
      name: 'aspen_requests_total',
      help: 'Requests decided by sidecars (from the access-log stream) by workload, policy, rule and decision',
      labelNames: ['workload', 'policy', 'rule', 'decision'],
      registers,
    });
    this.denials = new Counter({
      name: 'aspen_denials_total',
      help: 'Denied and would-be-denied requests by workload, policy, rule and reason',
      labelNames: ['workload', 'policy', 'rule', 'reason'],
      registers,
    });
    this.refusedCallers = new Counter({
      name: 'aspen_dataplane_refused_callers_total',
      help: 'Calls refused because the caller presented no valid workload identity',
      labelNames: ['reason'],
      registers,
    });
  }

  /** One API-key check answered. */
  apiKeyCheck(
    mode: 'enforce' | 'audit',
    result: 'client' | 'unknown_key' | 'no_key' | 'caller_limited',
  ): void {
    this.apiKeyChecks.inc({ mode, result });
    if (result === 'caller_limited') this.callerLimited.inc();
  }

  /** One descriptor decided. */
  rateLimitDecision(limit: GlobalLimit, ok: boolean): void {
    this.rateLimits.inc({ policy: limit.policy, rule: limit.id, result: ok ? 'ok' : 'over_limit' });
  }

  /** One take that could not reach the counters. */
  rateLimitBackendError(backend: string): void {
    this.rateLimitErrors.inc({ backend });
  }

  /** One refused ShouldRateLimit call. */
  rateLimitRefused(): void {
    this.rateLimitRefusals.inc();
  }

  /** One access-log record. */
  request(labels: { workload: string; policy: string; rule: string; decision: string }): void {
    this.requests.inc(labels);
  }

  /** One denial or would-denial. */
  denial(labels: { workload: string; policy: string; rule: string; reason: string }): void {
    this.denials.inc(labels);
  }

  /** One call refused for its identity. */
  refusedCaller(reason: 'no_certificate' | 'bad_identity'): void {
    this.refusedCallers.inc({ reason });
  }
}
