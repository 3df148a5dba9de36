/**
 * Routes a Service of the e2e cluster to a port on this machine, so the API server calls webhooks exactly as the
 * chart registers them (clientConfig.service `aspen` port 443, TLS server name `aspen.<ns>.svc`). The API server runs
 * with --enable-aggregator-routing, which dials a Service's endpoints instead of its ClusterIP (there is no
 * kube-proxy); endpoints may not be loopback addresses, so the port listens on this machine's first non-loopback
 * IPv4 address (TLS, test only).
 */
import os from 'node:os';
import { stringify } from 'yaml';
import type { Cluster } from './cluster.js';

/** This machine's first non-internal IPv4 address, or undefined when it has none. */
export function hostAddress(): string | undefined {
  const all = Object.values(os.networkInterfaces()).flatMap((list) => list ?? []);
  return all.find((i) => i.family === 'IPv4' && !i.internal)?.address;
}

/** Creates Service `name` in `namespace` (port 443) with endpoints `address:port` (Endpoints and EndpointSlice). */
export async function routeService(
  cluster: Cluster,
  target: { namespace: string; name: string; address: string; port: number },
): Promise<void> {
  const { namespace, name, address, port } = target;
  const service = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace },
    spec: { ports: [{ name: 'https-webhook', port: 443, targetPort: port, protocol: 'TCP' }] },
  };
  const endpoints = {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name, namespace },
    subsets: [{ addresses: [{ ip: address }], ports: [{ name: 'https-webhook', port, protocol: 'TCP' }] }],
  };
  const slice = {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: `${name}-e2e`, namespace, labels: { 'kubernetes.io/service-name': name } },
    addressType: 'IPv4',
    endpoints: [{ addresses: [address], conditions: { ready: true } }],
    ports: [{ name: 'https-webhook', port, protocol: 'TCP' }],
  };
  const yaml = [service, endpoints, slice].map((o) => stringify(o)).join('---\n');
  const r = await cluster.withManifest(yaml, ['apply', '--server-side', '--field-manager=e2e']);
  if (r.code !== 0) throw new Error(`routing Service ${namespace}/${name} failed: ${r.stderr.trim()}`);
}
