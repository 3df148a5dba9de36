/** Access logging of one port. */
import type { AccessLogIR } from '../ir/index.js';
import type { CompiledPolicy } from './compiled.js';
import { sortedUnique } from './sort.js';

/** Headers whose values never appear in access logs, whatever the policies say. */
export const ALWAYS_REDACTED: readonly string[] = ['authorization', 'cookie', 'proxy-authorization'];

/**
 * Access logging of a port covered by `policies` (either mode): enabled if any of them asks for it, or when none
 * covers the port; redacting the headers every one of them names plus ALWAYS_REDACTED.
 */
export function accessLog(policies: readonly CompiledPolicy[]): AccessLogIR {
  return {
    enabled: policies.length === 0 || policies.some((p) => p.accessLog),
    redactHeaders: sortedUnique([...ALWAYS_REDACTED, ...policies.flatMap((p) => p.redactHeaders)]),
  };
}
