/**
 * The Pod Security caveat: the redirect init container needs NET_ADMIN and NET_RAW, which the `baseline` and
 * `restricted` Pod Security Standards forbid. Pod Security admission runs after mutating webhooks, so in a namespace
 * enforcing either level the API server refuses the injected pod; the injector says why in an admission warning.
 */
import { POD_SECURITY_ENFORCE } from './annotations.js';

/** The warning for a namespace's labels, or undefined when its Pod Security level allows the redirect. */
export function podSecurityWarning(
  namespace: string,
  labels: Readonly<Record<string, string>>,
): string | undefined {
  const level = labels[POD_SECURITY_ENFORCE];
  if (level !== 'baseline' && level !== 'restricted') return undefined;
  return (
    `aspen: namespace ${namespace} enforces Pod Security "${level}", which forbids the NET_ADMIN and NET_RAW ` +
    'capabilities the aspen-redirect init container needs to redirect traffic through the proxy, so this pod ' +
    'will be refused; label the namespace pod-security.kubernetes.io/enforce=privileged, or opt the pod out with ' +
    'the annotation aspen.dev/inject: "disabled"'
  );
}
