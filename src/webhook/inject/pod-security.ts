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
    `aspen: namespace ${namespace} enforces Pod Security "${level}": the aspen-redirect init container needs ` +
    'NET_ADMIN and NET_RAW, so the API server will refuse this pod (see "Pod Security" in the aspen README)'
  );
}
