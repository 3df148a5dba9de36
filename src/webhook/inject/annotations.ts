/**
 * The labels and annotations the injector reads and writes (contracts.md), and the parsing of the per-pod
 * redirect exclusions. A malformed exclusion is an error naming the annotation, never silently ignored.
 */
import { isIPv4 } from 'node:net';

/** Namespace label and pod label/annotation that opt in (`enabled`) or out (`disabled`, annotation only). */
export const INJECT = 'aspen.dev/inject';
/** Pod annotation marking a proxyless gRPC workload: no Envoy. */
export const PROXYLESS = 'aspen.dev/proxyless';
/** Written on injection: what was injected (`envoy` or `proxyless`). */
export const INJECTED = 'aspen.dev/injected';
/** Written when a pod that asked for injection was not injected: why. */
export const INJECT_SKIPPED = 'aspen.dev/inject-skipped';
/** Written on injection: the Envoy bootstrap (JSON), mounted into the proxy through the downward API. */
export const BOOTSTRAP = 'aspen.dev/bootstrap';
/** Written on injection: the trust bundle (PEM), mounted into the proxy through the downward API. */
export const TRUST_BUNDLE = 'aspen.dev/trust-bundle';
/** Written on injection: the pod's original HTTP probes (JSON), so the rewrite can be read and undone. */
export const ORIGINAL_PROBES = 'aspen.dev/original-probes';
/** Inbound ports not redirected to the proxy (comma-separated). */
export const EXCLUDE_INBOUND_PORTS = 'aspen.dev/exclude-inbound-ports';
/** Outbound destination ports not redirected to the proxy (comma-separated). */
export const EXCLUDE_OUTBOUND_PORTS = 'aspen.dev/exclude-outbound-ports';
/** Outbound destination IPv4 CIDRs not redirected to the proxy (comma-separated). */
export const EXCLUDE_OUTBOUND_CIDRS = 'aspen.dev/exclude-outbound-cidrs';
/** `"false"` turns outbound redirection off for the pod (it is on by default). */
export const CAPTURE_OUTBOUND = 'aspen.dev/capture-outbound';
/** Namespace label of Pod Security admission's enforced level. */
export const POD_SECURITY_ENFORCE = 'pod-security.kubernetes.io/enforce';

/** The pod's redirect exclusions. */
export interface RedirectExclusions {
  /** Inbound ports left alone. */
  readonly inboundPorts: readonly number[];
  /** Outbound destination ports left alone. */
  readonly outboundPorts: readonly number[];
  /** Outbound destination CIDRs left alone (`a.b.c.d/n`). */
  readonly outboundCidrs: readonly string[];
  /** Outbound redirection on. */
  readonly captureOutbound: boolean;
}

/** Parsed exclusions, or the problem with one annotation. */
export type ExclusionsResult =
  | { readonly ok: true; readonly value: RedirectExclusions }
  | { readonly ok: false; readonly message: string };

function items(text: string | undefined): string[] {
  if (text === undefined) return [];
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

function parsePorts(annotation: string, text: string | undefined): number[] | string {
  const ports: number[] = [];
  for (const item of items(text)) {
    const port = /^[0-9]{1,5}$/.test(item) ? Number(item) : NaN;
    if (!(port >= 1 && port <= 65535)) return `annotation ${annotation}: "${item}" is not a port (1-65535)`;
    ports.push(port);
  }
  return [...new Set(ports)].sort((a, b) => a - b);
}

function parseCidrs(annotation: string, text: string | undefined): string[] | string {
  const cidrs: string[] = [];
  for (const item of items(text)) {
    const [address = '', bits, ...rest] = item.split('/');
    const prefix = bits !== undefined && /^[0-9]{1,2}$/.test(bits) ? Number(bits) : NaN;
    if (rest.length > 0 || !isIPv4(address) || !(prefix >= 0 && prefix <= 32)) {
      return `annotation ${annotation}: "${item}" is not an IPv4 CIDR (a.b.c.d/n)`;
    }
    cidrs.push(`${address}/${prefix}`);
  }
  return [...new Set(cidrs)].sort();
}

function parseCapture(text: string | undefined): boolean | string {
  if (text === undefined || text === 'true') return true;
  if (text === 'false') return false;
  return `annotation ${CAPTURE_OUTBOUND}: "${text}" is not "true" or "false"`;
}

/** Reads the exclusion annotations of a pod. */
export function redirectExclusions(annotations: Readonly<Record<string, string>>): ExclusionsResult {
  const inboundPorts = parsePorts(EXCLUDE_INBOUND_PORTS, annotations[EXCLUDE_INBOUND_PORTS]);
  const outboundPorts = parsePorts(EXCLUDE_OUTBOUND_PORTS, annotations[EXCLUDE_OUTBOUND_PORTS]);
  const outboundCidrs = parseCidrs(EXCLUDE_OUTBOUND_CIDRS, annotations[EXCLUDE_OUTBOUND_CIDRS]);
  const captureOutbound = parseCapture(annotations[CAPTURE_OUTBOUND]);
  for (const parsed of [inboundPorts, outboundPorts, outboundCidrs, captureOutbound]) {
    if (typeof parsed === 'string') return { ok: false, message: parsed };
  }
  return {
    ok: true,
    value: {
      inboundPorts: inboundPorts as number[],
      outboundPorts: outboundPorts as number[],
      outboundCidrs: outboundCidrs as string[],
      captureOutbound: captureOutbound as boolean,
    },
  };
}
