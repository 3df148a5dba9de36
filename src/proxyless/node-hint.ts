/**
 * Recognising a proxyless gRPC node — for diagnostics only. Which resource shapes a proxy receives is decided by its
 * workload (the `aspen.dev/proxyless` pod annotation, ADR 24), never by what the node says about itself. A node that
 * says it is proxyless (bootstrap metadata written by `aspen bootstrap --proxyless`, or a gRPC user agent) while its
 * workload is not annotated, or the other way round, will reject what it receives; {@link warnOnDataPlaneMismatch}
 * logs that at connection time so the NACKs that follow have an explanation.
 */
import type { Node } from '../gen/envoy/config/core/v3/base.js';
import type { Authenticator, Logger } from '../xds/server/types.js';
import { PROXYLESS_ANNOTATION } from './annotations.js';

/** User agent names gRPC libraries send in `Node.user_agent_name`. */
const GRPC_USER_AGENTS = /^(grpc-node-js|gRPC Go|grpc-java|grpc-c\+\+|grpc-python|grpc-csharp)/i;

/** What the node claims to be: `proxyless` (gRPC) or `envoy`. A hint only. */
export function dataPlaneHint(node: Node | undefined): 'proxyless' | 'envoy' {
  const metadata = node?.metadata;
  if (metadata?.[PROXYLESS_ANNOTATION] === 'true') return 'proxyless';
  return GRPC_USER_AGENTS.test(node?.userAgentName ?? '') ? 'proxyless' : 'envoy';
}

/**
 * Wraps an authenticator: after it accepted a stream, compares the node's hint with what the proxy key's workload is
 * (`isProxyless`: true, false, or undefined when the workload is unknown) and warns on a mismatch. Never changes the
 * authenticator's decision.
 */
export function warnOnDataPlaneMismatch(
  authenticate: Authenticator,
  isProxyless: (proxyKey: string) => boolean | undefined,
  logger: Logger,
): Authenticator {
  return async (call, firstRequest) => {
    const result = await authenticate(call, firstRequest);
    if (result instanceof Error) return result;
    const workload = isProxyless(result.proxyKey);
    const hint = dataPlaneHint(firstRequest.node);
    if (workload !== undefined && workload !== (hint === 'proxyless')) {
      logger.warn(
        { proxyKey: result.proxyKey, node: hint, workload: workload ? 'proxyless' : 'envoy' },
        `the node looks like ${hint === 'proxyless' ? 'a proxyless gRPC client' : 'Envoy'} but its workload is ` +
          `${workload ? 'annotated' : 'not annotated'} ${PROXYLESS_ANNOTATION}: "true"; it will reject its resources`,
      );
    }
    return result;
  };
}
