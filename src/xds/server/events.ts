/**
 * Calls the optional {@link XdsServerEvents} hooks so that a missing hook is a no-op and a throwing hook is logged
 * instead of breaking a stream.
 */
import type { Logger, XdsServerEvents } from './types.js';

/** Every hook present; each one guarded. */
export type GuardedEvents = Required<XdsServerEvents>;

/** Wraps the caller's hooks (possibly none). */
export function guardEvents(events: XdsServerEvents | undefined, logger: Logger): GuardedEvents {
  const run = (hook: keyof XdsServerEvents, call: (target: XdsServerEvents) => void): void => {
    if (events?.[hook] === undefined) {
      return;
    }
    try {
      call(events);
    } catch (error) {
      logger.error({ hook, err: error }, 'xDS server event hook threw');
    }
  };
  return {
    onConnected: (stream) => run('onConnected', (e) => e.onConnected?.(stream)),
    onDisconnected: (stream) => run('onDisconnected', (e) => e.onDisconnected?.(stream)),
    onRefused: (peer, reason) => run('onRefused', (e) => e.onRefused?.(peer, reason)),
    onAcked: (stream, typeUrl, version) => run('onAcked', (e) => e.onAcked?.(stream, typeUrl, version)),
    onRejected: (rejection, stream) => run('onRejected', (e) => e.onRejected?.(rejection, stream)),
    onSent: (stream, response) => run('onSent', (e) => e.onSent?.(stream, response)),
    onIgnored: (stream, typeUrl, reason) => run('onIgnored', (e) => e.onIgnored?.(stream, typeUrl, reason)),
  };
}
