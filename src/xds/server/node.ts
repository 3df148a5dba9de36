/** What a proxy says about itself in `Node` (first request only): hints for logs and metrics, never identity. */
import type { Node } from '../../gen/envoy/config/core/v3/base.js';

/**
 * `<user_agent_name>/<version>`, e.g. `envoy/1.36.2` (Envoy sends `user_agent_build_version`) or
 * `grpc-node-js/1.14.7` (gRPC clients send `user_agent_version`); empty parts when absent. The supported-version check
 * (a warning in metrics and status) reads this.
 */
export function userAgentOf(node: Node | undefined): string {
  const type = node?.userAgentVersionType;
  let version = '';
  if (type?.$case === 'userAgentVersion') {
    version = type.value;
  } else if (type?.$case === 'userAgentBuildVersion' && type.value.version !== undefined) {
    const { majorNumber, minorNumber, patch } = type.value.version;
    version = `${majorNumber}.${minorNumber}.${patch}`;
  }
  return `${node?.userAgentName ?? ''}/${version}`;
}
