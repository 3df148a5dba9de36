/**
 * RE2, as Envoy uses it: every `safe_regex` and every PGV `pattern` is compiled with RE2, which has no lookaround,
 * backreferences, atomic groups or possessive quantifiers and caps repetition counts at 1000 — all of which
 * JavaScript's RegExp accepts. `re2js` is a port of RE2 (the Go/Java implementation) to JavaScript, so a pattern it
 * compiles is one Envoy compiles. Not checked: Envoy's program-size limit (`re2.max_program_size.error_level`).
 */
import { RE2JS } from 're2js';

/** Outcomes of {@link re2Problem} by pattern (`''`: compiles); bounded, the oldest entry goes first. */
const problems = new Map<string, string>();
const MAX_REMEMBERED = 10_000;

/** Why RE2 rejects this regex, or undefined when it compiles. Remembered per pattern (ADR 0026). */
export function re2Problem(pattern: string): string | undefined {
  let problem = problems.get(pattern);
  if (problem === undefined) {
    try {
      RE2JS.compile(pattern);
      problem = '';
    } catch (err) {
      problem = (err as Error).message;
    }
    if (problems.size >= MAX_REMEMBERED) problems.delete(problems.keys().next().value as string);
    problems.set(pattern, problem);
  }
  return problem === '' ? undefined : problem;
}

/** A compiled RE2 pattern: `test` is true when it matches anywhere in the input (Go's MatchString, as PGV uses). */
export interface Re2Pattern {
  test(input: string): boolean;
}

const compiled = new Map<string, Re2Pattern | string>();

/** A PGV `pattern`, compiled once: the pattern, or why it does not compile. */
export function compilePattern(pattern: string): Re2Pattern | string {
  let entry = compiled.get(pattern);
  if (entry === undefined) {
    const problem = re2Problem(pattern);
    entry = problem ?? RE2JS.compile(pattern);
    compiled.set(pattern, entry);
  }
  return entry;
}
