/**
 * Request body size (`requestValidation.maxBodyBytes`): `envoy.filters.http.buffer` with `max_request_bytes`.
 *
 * The buffer filter holds the whole request body before passing it on and answers 413 (Payload Too Large) as soon as
 * more than `max_request_bytes` arrive, whether the body is sized by `content-length` or chunked, so the
 * application never sees an oversized body. Only the Enforce-mode set is applied: an Audit-mode size limit must not
 * block (filters/audit-validation.ts counts requests whose `content-length` exceeds it). Placed just before the
 * router, after authentication, authorization and rate limits, so unauthenticated clients are refused before any
 * body is buffered.
 */
import { Buffer } from '../../../gen/envoy/extensions/filters/http/buffer/v3/buffer.js';
import { HttpFilter } from '../../../gen/envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.js';
import { typedConfig } from '../common.js';
import type { FilterOutput, HttpFilterModule, ModuleContext } from './module.js';

/** Envoy's name of the filter. */
export const BUFFER_FILTER = 'envoy.filters.http.buffer';

/** The buffer config refusing bodies over `maxBodyBytes`. */
export function bodyLimitConfig(maxBodyBytes: number): Buffer {
  return Buffer.fromPartial({ maxRequestBytes: maxBodyBytes });
}

/** The body-size module: one buffer filter when the port's enforced request validation sets `maxBodyBytes`. */
export const bodyLimitFilter: HttpFilterModule = {
  id: 'body-limit',
  build(ctx: ModuleContext): FilterOutput {
    const max = ctx.port.enforce.requestValidation.maxBodyBytes;
    if (max === undefined) return { httpFilters: [], clusters: [] };
    return {
      httpFilters: [
        HttpFilter.fromPartial({ name: BUFFER_FILTER, configType: typedConfig(bodyLimitConfig(max)) }),
      ],
      clusters: [],
    };
  },
};
