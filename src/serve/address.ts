/** Listen addresses of `aspen serve`: `host:port` (IPv6 as `[::1]:port`), and what counts as loopback. */
import { isIPv4, isIPv6 } from 'node:net';

/** A parsed listen address. */
export interface ListenAddress {
  /** IP or host name, IPv6 without brackets. */
  host: string;
  /** TCP port; 0 picks a free one. */
  port: number;
}

/** Parses `host:port` or `[v6]:port`; returns a message when it is not one. */
export function parseListenAddress(text: string): ListenAddress | string {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]\s]+)):(\d{1,5})$/.exec(text);
  const host = match?.[1] ?? match?.[2];
  const port = Number(match?.[3]);
  if (match === null || host === undefined || port > 65535) {
    return `"${text}" is not <host>:<port> (IPv6 as [::1]:<port>)`;
  }
  if (match[1] !== undefined && !isIPv6(host)) return `"${host}" is not an IPv6 address`;
  return { host, port };
}

/** Whether `host` is a loopback address: 127.0.0.0/8, ::1 (or ::ffff:127.x.y.z) or `localhost`. */
export function isLoopback(host: string): boolean {
  const lower = host.toLowerCase();
  if (lower === 'localhost') return true;
  if (isIPv4(lower)) return lower.startsWith('127.');
  if (!isIPv6(lower)) return false;
  if (lower.startsWith('::ffff:')) return isLoopback(lower.slice('::ffff:'.length));
  return lower
    .split(':')
    .every((group, index, all) => (index === all.length - 1 ? /^0*1$/.test(group) : /^0*$/.test(group)));
}

/** `host:port`, with brackets around an IPv6 host (what grpc-js `bindAsync` takes). */
export function formatListenAddress(address: ListenAddress): string {
  return isIPv6(address.host) ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`;
}
