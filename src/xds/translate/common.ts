/** Small builders shared by the translation modules: durations, addresses, typed extension configs. */
import { Address } from '../../gen/envoy/config/core/v3/address.js';
import { TypedExtensionConfig } from '../../gen/envoy/config/core/v3/extension.js';
import { Duration } from '../../gen/google/protobuf/duration.js';
import type { Any } from '../proto/any.js';
import { packAny } from '../proto/any.js';
import type { UnknownMessage } from '../proto/registry.js';

/** A Duration of whole or fractional milliseconds. */
export function durationMs(ms: number): Duration {
  const seconds = Math.floor(ms / 1000);
  return Duration.fromPartial({ seconds, nanos: Math.round((ms - seconds * 1000) * 1e6) });
}

/** A Duration of whole seconds. */
export function durationS(seconds: number): Duration {
  return Duration.fromPartial({ seconds });
}

/** A TCP socket address. */
export function socketAddress(host: string, port: number): Address {
  return Address.fromPartial({
    address: {
      $case: 'socketAddress',
      value: { address: host, portSpecifier: { $case: 'portValue', value: port } },
    },
  });
}

/** The `typed_config` oneof member most Envoy extension points use. */
export function typedConfig(message: UnknownMessage): { $case: 'typedConfig'; value: Any } {
  return { $case: 'typedConfig', value: packAny(message) };
}

/** A named extension with its typed config (listener filters, transport sockets take this shape). */
export function typedExtension(name: string, message: UnknownMessage): TypedExtensionConfig {
  return TypedExtensionConfig.fromPartial({ name, typedConfig: packAny(message) });
}

/** Compares strings by code unit, for deterministic sorting independent of locale. */
export function byString(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
