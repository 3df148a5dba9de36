/**
 * DEVELOPMENT ONLY. The file-mode authenticator trusts what the proxy says about itself: its proxy key is
 * `node.cluster` (`<namespace>/<workload>`) from the first request. Any client that can reach the port can therefore
 * claim any workload and receive its resources and certificates. Use it only with `aspen serve` on loopback or a
 * trusted network (TLS there authenticates the server, not the proxy); in a cluster identity must come from the
 * authenticated channel (TokenReview or a client certificate).
 */
import type { Authenticator, ProxyIdentity } from './types.js';

/** `<namespace>/<workload>`: two non-empty segments without spaces. */
const PROXY_KEY = /^[^/\s]+\/[^/\s]+$/;

/**
 * DEVELOPMENT ONLY: an authenticator that takes `node.cluster` as the proxy key without verifying anything. Refuses a
 * first request without a Node or whose `node.cluster` is not `<namespace>/<workload>`.
 */
export function fileModeAuthenticator(): Authenticator {
  return (_call, firstRequest): Promise<ProxyIdentity | Error> => {
    const cluster = firstRequest.node?.cluster ?? '';
    if (firstRequest.node === undefined) {
      return Promise.resolve(new Error('the first request carries no node'));
    }
    if (!PROXY_KEY.test(cluster)) {
      return Promise.resolve(new Error(`node.cluster "${cluster}" is not <namespace>/<workload>`));
    }
    return Promise.resolve({ proxyKey: cluster });
  };
}
