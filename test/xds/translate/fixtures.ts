/** Small IR fixtures for the xDS translation tests: a proxy with the mesh defaults, changed only where a test says. */
import type { MtlsModeIR, OutboundServiceIR, PolicySetIR, PortIR, ProxyIR } from '../../../src/ir/index.js';

/** Enforced settings with the mesh defaults (STRICT, default deny), overridden by `patch`. */
export function policySet(patch: Partial<PolicySetIR> = {}): PolicySetIR {
  return {
    mtls: 'STRICT',
    authorization: { defaultAction: 'Deny', rules: [] },
    rateLimits: [],
    requestValidation: { requiredHeaders: [], allowPathParameters: false, openapi: [] },
    ...patch,
  };
}

/** One inbound port with the mesh defaults, overridden by `patch`. */
export function port(number: number, patch: Partial<PortIR> = {}): PortIR {
  return {
    port: number,
    policies: [],
    enforce: policySet(),
    accessLog: { enabled: true, redactHeaders: ['authorization', 'cookie', 'proxy-authorization'] },
    failClosed: [],
    ...patch,
  };
}

/** A port enforcing the given mTLS mode. */
export function portWithMtls(number: number, mtls: MtlsModeIR): PortIR {
  return port(number, { enforce: policySet({ mtls }) });
}

/** The proxy of `shop/orders` with the given ports and outbound services. */
export function proxy(ports: PortIR[], outbound: OutboundServiceIR[] = []): ProxyIR {
  return {
    key: 'shop/orders',
    workload: { namespace: 'shop', name: 'orders', kind: 'Deployment', serviceAccount: 'orders' },
    identity: 'spiffe://cluster.local/ns/shop/sa/orders',
    policies: [],
    ports,
    outbound,
  };
}

/**
 * A meshed service `shop/<name>` on port 80 with one STRICT destination (a fresh IR object per call, as a new
 * translation builds new objects with the same content).
 */
export function meshService(
  name: string,
  identity = `spiffe://cluster.local/ns/shop/sa/${name}`,
): OutboundServiceIR {
  return {
    key: `shop/${name}`,
    host: `${name}.shop.svc.cluster.local`,
    ports: [
      {
        port: 80,
        tls: true,
        identities: [identity],
        destinations: [{ workload: `shop/${name}`, targetPort: 8080, identity, mtls: 'STRICT' }],
      },
    ],
  };
}
