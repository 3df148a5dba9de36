/**
 * Safety limits for YAML read from files or standard input. Input beyond a limit is refused with a short error
 * before it can use much time or memory (aspen reads policies from GitOps repositories and pull requests).
 */

/** Largest YAML document accepted, in UTF-8 bytes (the API server's own request limit is about this size). */
export const MAX_DOCUMENT_BYTES = 3 * 1024 * 1024;
/** Largest file (or standard input) read at all, in bytes. A file may hold many documents. */
export const MAX_FILE_BYTES = 64 * 1024 * 1024;
/** Deepest nesting of mappings and sequences accepted in a document (the root collection is level 1). */
export const MAX_DEPTH = 100;
/** Most alias nodes (`*name`) accepted in one document. */
export const MAX_ALIASES = 100;
/**
 * The yaml library's `maxAliasCount` when converting a document: roughly how many times the content of anchors may
 * be repeated through aliases, nested aliases multiplying. Stops alias bombs ("billion laughs") that use few
 * aliases but expand exponentially.
 */
export const MAX_ALIAS_EXPANSION = 1000;
/** Most YAML errors reported for one document; the rest are summarised in one line. */
export const MAX_ERRORS_PER_DOCUMENT = 10;
/** Longest error message kept: messages must never carry large parts of the input. */
export const MAX_MESSAGE_LENGTH = 160;

/** Shortens `text` to at most `max` characters, marking the cut with an ellipsis. */
export function truncate(text: string, max: number = MAX_MESSAGE_LENGTH): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
