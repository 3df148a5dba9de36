/** Checks of network values: CIDR blocks and the hosts JWKS may be fetched from (SSRF). */
import { BlockList, isIP } from 'node:net';

/** Why a CIDR block is invalid, or undefined when it is valid (host bits must be zero). */
export function cidrProblem(cidr: string): string | undefined {
  const [address = '', prefix, extra] = cidr.split('/');
  const family = isIP(address);
  if (family === 0 || prefix === undefined || extra !== undefined || !/^[0-9]{1,3}$/.test(prefix)) {
    return 'must be a CIDR block such as 10.0.0.0/8 or fd00::/8';
  }
  const bits = family === 4 ? 32 : 128;
  const length = Number(prefix);
  if (length > bits) return `prefix length must be at most ${bits}`;
  if (!hostBitsZero(address, family, length))
    return 'has host bits set: use the network address of the block';
  return undefined;
}

function hostBitsZero(address: string, family: number, length: number): boolean {
  const value = family === 4 ? ipv4ToBigInt(address) : ipv6ToBigInt(address);
  const bits = BigInt(family === 4 ? 32 : 128);
  const hostMask = (1n << (bits - BigInt(length))) - 1n;
  return (value & hostMask) === 0n;
}

function ipv4ToBigInt(address: string): bigint {
  return address.split('.').reduce((acc, octet) => (acc << 8n) + BigInt(Number(octet)), 0n);
}

function ipv6ToBigInt(address: string): bigint {
  let text = address;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4?.[1] !== undefined) {
    const n = ipv4ToBigInt(v4[1]);
    text = text.slice(0, -v4[1].length) + `${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const zeros = tail === undefined ? [] : new Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...zeros, ...right].reduce((acc, group) => (acc << 16n) + BigInt(parseInt(group, 16)), 0n);
}

/** Host names that always point at the node itself or at a cloud metadata service. */
const FORBIDDEN_HOSTS = new Set(['localhost', 'metadata.google.internal', 'metadata', 'metadata.azure.com']);

/** IP blocks a JWKS may never be fetched from: loopback, link-local (cloud metadata), unspecified. */
const FORBIDDEN_BLOCKS: readonly (readonly [network: string, length: number, what: string])[] = [
  ['127.0.0.0', 8, 'loopback'],
  ['0.0.0.0', 8, 'unspecified'],
  ['169.254.0.0', 16, 'link-local (cloud metadata)'],
  ['100.100.100.200', 32, 'cloud metadata'],
  ['::1', 128, 'loopback'],
  ['::', 128, 'unspecified'],
  ['fe80::', 10, 'link-local'],
  ['fd00:ec2::254', 128, 'cloud metadata'],
];

const forbiddenLists = FORBIDDEN_BLOCKS.map(([network, length, what]) => {
  const list = new BlockList();
  list.addSubnet(network, length, isIP(network) === 4 ? 'ipv4' : 'ipv6');
  return { list, what };
});

/**
 * Why a JWKS URI may not be fetched, or undefined. Only https, no credentials in the URL, and never the node
 * itself or a metadata service (SSRF). Private and in-cluster addresses (`https://keycloak.auth.svc/...`) stay
 * allowed: that is where in-cluster issuers live.
 */
export function jwksUriProblem(uri: string): string | undefined {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return 'must be an absolute https:// URL';
  }
  if (url.protocol !== 'https:') return 'must use https';
  if (url.username !== '' || url.password !== '') return 'must not carry credentials';
  const host = url.hostname
    .replace(/^\[|\]$/g, '')
    .toLowerCase()
    .replace(/\.$/, '');
  if (FORBIDDEN_HOSTS.has(host) || host.endsWith('.localhost')) return `must not point at ${host}`;
  return forbiddenAddress(host);
}

function forbiddenAddress(host: string): string | undefined {
  const family = isIP(host);
  if (family === 0) return undefined;
  // BlockList also matches IPv4-mapped IPv6 addresses (::ffff:127.0.0.1) against IPv4 blocks.
  const hit = forbiddenLists.find(({ list }) => list.check(host, family === 4 ? 'ipv4' : 'ipv6'));
  return hit === undefined ? undefined : `must not point at a ${hit.what} address`;
}
