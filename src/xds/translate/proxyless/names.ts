/**
 * Names of the resources proxyless gRPC workloads receive, and the names their bootstrap must agree on (certificate
 * provider instance, server listener template). gRPC looks resources up by these names, so they are a contract with
 * `aspen bootstrap --proxyless` (src/proxyless/bootstrap.ts).
 */

/** The bootstrap's certificate provider instance (file_watcher) holding the workload certificate and trust bundle. */
export const CERTIFICATE_PROVIDER_INSTANCE = 'aspen';

/**
 * The bootstrap's `server_listener_resource_name_template` (gRFC A36): gRPC replaces `%s` with the address an
 * `XdsServer` binds, as passed to `bindAsync` (`0.0.0.0:50051`, `[::]:50051`, `10.0.0.7:50051`).
 */
export const SERVER_LISTENER_TEMPLATE = 'grpc/server?xds.resource.listening_address=%s';

/** Addresses every proxyless server port gets a Listener for (any IPv4, any IPv6); pod IPs are added to them. */
export const WILDCARD_ADDRESSES: readonly string[] = ['0.0.0.0', '::'];

/** `host:port`, with IPv6 hosts in brackets, as gRPC writes a listening address. */
export function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** The server Listener gRPC asks for when it binds `host:port`. */
export function serverListenerName(host: string, port: number): string {
  return SERVER_LISTENER_TEMPLATE.replace('%s', hostPort(host, port));
}

/** The inline route configuration of a server port. */
export function serverRouteName(port: number): string {
  return `inbound|${port}`;
}

/**
 * The client Listener of a service port: a channel to `xds:///<name>.<namespace>.svc.<cluster-domain>:<port>` asks
 * for the Listener named after the target's path.
 */
export function clientListenerName(host: string, port: number): string {
  return `${host}:${port}`;
}
