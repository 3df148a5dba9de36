/**
 * The traffic redirect step (ADR 0019): `iptables-restore` rules in the pod's network namespace sending inbound TCP
 * to Envoy's inbound capture port and outbound TCP to its outbound capture port, except the proxy's own traffic
 * (its UID), loopback, the proxy's health and stats ports, and what the pod's annotations exclude. IPv4 only.
 * The rules are generated here (pure, golden-tested) and run by a small image that has `sh` and `iptables-restore`.
 */
import type { V1Container } from '@kubernetes/client-node';
import type { RedirectExclusions } from './annotations.js';
import type { InjectionSettings } from './settings.js';

/** Envoy's inbound capture port. */
export const INBOUND_CAPTURE_PORT = 15006;
/** Envoy's outbound capture port. */
export const OUTBOUND_CAPTURE_PORT = 15001;
/** The proxy's health port (readiness, rewritten probes): reached by the kubelet, never redirected. */
export const HEALTH_PORT = 15021;
/** The proxy's Prometheus port: never redirected. */
export const STATS_PORT = 15090;
/** Name of the redirect init container. */
export const REDIRECT_CONTAINER = 'aspen-redirect';
/** Environment variable carrying the rules into the redirect container. */
export const RULES_ENV = 'ASPEN_IPTABLES_RULES';

/** The `iptables-restore` input for one pod (nat table only; appended with `--noflush`). */
export function redirectRules(exclusions: RedirectExclusions, proxyUid: number): string {
  const inboundSkips = [HEALTH_PORT, STATS_PORT, ...exclusions.inboundPorts];
  const lines = [
    '*nat',
    ':ASPEN_INBOUND - [0:0]',
    ':ASPEN_IN_REDIRECT - [0:0]',
    ':ASPEN_OUTPUT - [0:0]',
    ':ASPEN_REDIRECT - [0:0]',
    `-A ASPEN_IN_REDIRECT -p tcp -j REDIRECT --to-ports ${INBOUND_CAPTURE_PORT}`,
    `-A ASPEN_REDIRECT -p tcp -j REDIRECT --to-ports ${OUTBOUND_CAPTURE_PORT}`,
    '-A PREROUTING -p tcp -j ASPEN_INBOUND',
    ...[...new Set(inboundSkips)].map((port) => `-A ASPEN_INBOUND -p tcp --dport ${port} -j RETURN`),
    '-A ASPEN_INBOUND -p tcp -j ASPEN_IN_REDIRECT',
  ];
  if (exclusions.captureOutbound) {
    lines.push(
      '-A OUTPUT -p tcp -j ASPEN_OUTPUT',
      `-A ASPEN_OUTPUT -m owner --uid-owner ${proxyUid} -j RETURN`,
      `-A ASPEN_OUTPUT -m owner --gid-owner ${proxyUid} -j RETURN`,
      '-A ASPEN_OUTPUT -d 127.0.0.1/32 -j RETURN',
      ...exclusions.outboundPorts.map((port) => `-A ASPEN_OUTPUT -p tcp --dport ${port} -j RETURN`),
      ...exclusions.outboundCidrs.map((cidr) => `-A ASPEN_OUTPUT -d ${cidr} -j RETURN`),
      '-A ASPEN_OUTPUT -j ASPEN_REDIRECT',
    );
  }
  lines.push('COMMIT');
  return `${lines.join('\n')}\n`;
}

/**
 * The init container that installs the rules. It alone runs as root with NET_ADMIN and NET_RAW (everything else
 * dropped, no privilege escalation), which is what the baseline and restricted Pod Security levels refuse.
 */
export function redirectContainer(settings: InjectionSettings, rules: string): V1Container {
  return {
    name: REDIRECT_CONTAINER,
    image: settings.images.redirect,
    command: ['sh', '-c', `printf '%s' "$${RULES_ENV}" | iptables-restore --noflush`],
    env: [{ name: RULES_ENV, value: rules }],
    resources: settings.redirectResources,
    securityContext: {
      runAsUser: 0,
      runAsGroup: 0,
      runAsNonRoot: false,
      privileged: false,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: false,
      capabilities: { add: ['NET_ADMIN', 'NET_RAW'], drop: ['ALL'] },
    },
  };
}
