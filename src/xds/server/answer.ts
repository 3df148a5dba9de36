/**
 * What a proxy's answer to a response means for aspen, the same for state-of-the-world and delta streams: an ACK
 * clears any standing rejection of the type; a NACK (`error_detail`) is recorded, logged and reported, and the
 * rejected version is not resent (the stream's own state sees to that).
 */
import type { Logger, StreamContext, StreamInfo } from './types.js';

/** A classified answer: ACK or NACK of a version; any other kind records nothing. */
export type Answer =
  | { readonly kind: 'ack'; readonly version: string }
  | { readonly kind: 'nack'; readonly version: string; readonly code: number; readonly message: string }
  | { readonly kind: string };

/** Where an answer came from: the stream's context and logger, and the proxy. */
export interface AnswerSource {
  context: StreamContext;
  log: Logger;
  info: StreamInfo;
}

/** Records one answer of the source's proxy for `typeUrl`. */
export function recordAnswer(source: AnswerSource, typeUrl: string, answer: Answer): void {
  const { context, log, info } = source;
  if (isAck(answer)) {
    context.rejections.clear(info.proxyKey, typeUrl);
    context.events.onAcked(info, typeUrl, answer.version);
  } else if (isNack(answer)) {
    const { version, code, message } = answer;
    const rejection = { proxyKey: info.proxyKey, typeUrl, version, code, message, at: context.clock.now() };
    log.warn({ typeUrl, version, code, reason: message }, 'proxy rejected xDS response (NACK)');
    context.rejections.record(rejection);
    context.events.onRejected(rejection, info);
  }
}

function isAck(answer: Answer): answer is { kind: 'ack'; version: string } {
  return answer.kind === 'ack';
}

function isNack(answer: Answer): answer is { kind: 'nack'; version: string; code: number; message: string } {
  return answer.kind === 'nack';
}
