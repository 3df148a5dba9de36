/**
 * Removes key material and credentials from text a proxy sent (NACK messages) before it is published in a sync report,
 * a policy status or an Event. Envoy's validation errors may quote the rejected resource, and a rejected Secret or an
 * inline data source would otherwise put private keys or tokens into objects every policy reader can see.
 */

/** What replaces removed text. */
export const REDACTED = '[REDACTED]';

const PATTERNS: readonly RegExp[] = [
  // PEM blocks (private keys, certificates): never useful in a status message.
  /-----BEGIN [A-Z0-9 ]+-----[\s\S]*?(-----END [A-Z0-9 ]+-----|$)/g,
  // Inline data sources in proto text or JSON form: inline_bytes / inline_string / inlineBytes / inlineString.
  /(inline_?(?:bytes|string)["']?\s*[:=]\s*)("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|\S+)/gi,
  // Bearer tokens.
  /(\bbearer\s+)([A-Za-z0-9._~+/=-]+)/gi,
  // Credential-looking fields: `<name>: <value>` or `<name>=<value>`.
  /(\b(?:authorization|x-api-key|api[_-]?key|token|password|secret)["']?\s*[:=]\s*)("(?:[^"\\]|\\.)*"|[^\s,;}]+)/gi,
];

/** `text` with PEM blocks, inline data sources and credential-looking values replaced by {@link REDACTED}. */
export function redactSecrets(text: string): string {
  let out = text;
  for (const pattern of PATTERNS) {
    out = out.replace(pattern, (_match: string, prefix: unknown) =>
      typeof prefix === 'string' && !prefix.startsWith('-----') ? `${prefix}${REDACTED}` : REDACTED,
    );
  }
  return out;
}
