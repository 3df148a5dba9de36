/**
 * The one check of a JWKS document's content, used for inline key sets (validator) and key sets read from Secrets
 * (reference resolution). Messages never echo the document: it may hold key material.
 */

/** Private-key members of a JWK (RFC 7518): a key set that carries them would leak signing keys. */
const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth'];

/** Why `text` is not a usable public JSON Web Key Set, or undefined when it is. */
export function jwksDocumentProblem(text: string): string | undefined {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return 'must be a JSON Web Key Set (JSON)';
  }
  const keys = (doc as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys) || keys.length === 0)
    return 'must be a JWKS: an object with a non-empty "keys" list';
  const leaking = keys.findIndex(
    (k) => k !== null && typeof k === 'object' && PRIVATE_JWK_MEMBERS.some((m) => m in (k as object)),
  );
  if (leaking >= 0) return `key ${leaking} holds private or symmetric key material: publish public keys only`;
  return undefined;
}
