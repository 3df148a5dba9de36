/** Problems found in a user's object: data, never exceptions (design.md habit 3). */

/** One segment of a field path: a property name or a list index. */
export type PathSegment = string | number;

/** One problem in one object, located by a field path inside it. */
export interface Problem {
  /** Field path from the object root, e.g. ['spec', 'authorization', 'rules', 1, 'from', 'principals', 0]. */
  path: PathSegment[];
  /** What is wrong, for a human. */
  message: string;
}

/** Renders a path in dotted form with list indexes: `spec.authorization.rules[1].from.principals[0]`. */
export function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out === '' ? seg : `.${seg}`;
  }
  return out;
}
