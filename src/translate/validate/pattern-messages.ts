/** Plain-language messages for the regular expressions of the API schema (Ajv would print the regex). */

const MESSAGES: readonly (readonly [test: string, message: string])[] = [
  ['(ms|s|m|h)', 'must be a duration: a number with a unit ms, s, m or h, such as 500ms, 5s, 10m or 1h30m'],
  [
    '(\\.[a-z0-9]',
    'must be a DNS subdomain: lower-case letters, digits, "-" and ".", starting and ending alphanumeric',
  ],
  [
    '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$',
    'must be a DNS label: lower-case letters, digits and "-", starting and ending alphanumeric, at most 63 characters',
  ],
  [
    "^[A-Za-z0-9!#$%&'*+.^_`|~-]+$",
    "must be an HTTP header or cookie name (letters, digits and !#$%&'*+.^_`|~-)",
  ],
  ['^/[^?#\\s]*$', 'must be a path starting with "/" without query, fragment or spaces'],
  ['^https://', 'must be an https:// URL'],
  ['^spiffe://', 'must be a SPIFFE ID (spiffe://<trust-domain>/<path>)'],
  ['^[A-Za-z0-9._~-]+$', 'must be a query parameter name (letters, digits and ._~-)'],
  ['^[-._a-zA-Z0-9]+$', 'must be a Secret or ConfigMap key (letters, digits and -._)'],
  ['^[a-z0-9!#$&^_.+-]+/', 'must be a lower-case media type such as application/json'],
];

/** The message for a failed `pattern`, by the pattern itself. */
export function patternMessage(pattern: string): string {
  for (const [test, message] of MESSAGES) if (pattern.includes(test)) return message;
  return `must match the pattern ${pattern}`;
}
