/**
 * Run-time reflection over the Envoy descriptors that `src/gen/` was generated from.
 *
 * ts-proto's generated metadata keeps each field's decoded options (e.g. `validate.rules`) but no field kinds, and its
 * descriptor types lose proto2 presence (a field outside any oneof reads `oneofIndex: 0`). The binary
 * FileDescriptorSet written by `tools/cmd/protoset` is embedded in `src/gen/descriptors.ts`; decoded here with
 * `@bufbuild/protobuf` it gives exact descriptors: field kinds, JSON names, real oneofs, maps, and the type registry
 * that canonical JSON needs.
 */
import { createFileRegistry, fromBinary } from '@bufbuild/protobuf';
import type { DescField, DescMessage, FileRegistry } from '@bufbuild/protobuf';
import { FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';
import { base64Decode } from '@bufbuild/protobuf/wire';
import { envoyDescriptorSetBase64 } from '../../gen/descriptors.js';
import { UnknownMessageTypeError } from './registry.js';

export type { DescField, DescMessage, FileRegistry };

let registry: FileRegistry | undefined;

/** Every file, message, enum and extension of the generated Envoy set, decoded once on first use. */
export function envoyDescriptors(): FileRegistry {
  registry ??= createFileRegistry(
    fromBinary(FileDescriptorSetSchema, base64Decode(envoyDescriptorSetBase64)),
  );
  return registry;
}

/** The descriptor of the message with this full name (e.g. `envoy.config.route.v3.RouteConfiguration`). */
export function messageDescriptor(fullName: string): DescMessage {
  const desc = envoyDescriptors().getMessage(fullName);
  if (desc === undefined) {
    throw new UnknownMessageTypeError(fullName, 'message descriptor');
  }
  return desc;
}
