/**
 * The manifest loader: Kubernetes objects read from YAML files, directories or standard input, each with its source
 * location and a way to find the line of any field (so problems can be reported as `<file>:<line>`).
 *
 * Untrusted input is refused early and with short messages: documents over 3 MiB, nesting deeper than 100 levels,
 * more than 100 aliases or alias expansions (billion laughs), duplicate keys and, for whole inputs, over 64 MiB.
 */
import type { Document } from 'yaml';
import type { SourceLocation } from '../snapshot.js';
import type { PathSegment } from '../../translate/problem.js';
import { readInput, resolveInputs, type InputFile, type InputIo } from './inputs.js';
import { MAX_ALIAS_EXPANSION, MAX_ERRORS_PER_DOCUMENT, truncate } from './limits.js';
import { checkDocument, nodeAtPath, nodeStart, offsetOfPath } from './yaml-ast.js';
import { splitYamlStream, type YamlIssue } from './yaml-stream.js';

export type { InputIo } from './inputs.js';

/** One Kubernetes object read from YAML. */
export interface Manifest {
  /** The object as plain data (a YAML mapping with string `apiVersion` and `kind`). Treat as read-only. */
  readonly object: Record<string, unknown>;
  /** File and 1-based line where the object starts. */
  readonly source: SourceLocation;
  /**
   * The 1-based line of the field at `path` (string keys, number list indexes) in the object's YAML. When the path
   * does not exist, such as a missing required field, the line of its deepest existing ancestor.
   */
  lineOf(path: readonly PathSegment[]): number;
}

/** A problem with the input itself (YAML syntax, a safety limit, a duplicate object), located in a file. */
export interface LoadError {
  /** File path as given by the user, or `-` for standard input. */
  file: string;
  /** 1-based line. */
  line: number;
  /** Short message; never carries more than a few characters of the input. */
  message: string;
}

/** What one YAML text holds. */
export interface ParseResult {
  /** Kubernetes objects, in order; the items of a `kind: List` in place of the list. */
  manifests: Manifest[];
  /** YAML errors and refused documents, sorted by line. Documents with errors yield no manifests. */
  errors: LoadError[];
  /**
   * Non-empty documents (or List items) that are not Kubernetes objects (not a mapping, or no string `apiVersion`
   * and `kind`), such as Helm values files in a GitOps repository. Not errors; a caller may log them.
   */
  skipped: SourceLocation[];
}

/** What a set of inputs holds. */
export interface ReadResult extends ParseResult {
  /** Inputs that do not exist or cannot be read, one message each naming the path (exit code 2 in the CLI). */
  usageErrors: string[];
}

/** The kind whose `items` are expanded (what `kubectl get -o yaml` prints). */
const LIST_KIND = 'List';

/** One document being turned into manifests. */
interface DocumentContext {
  /** The composed document. */
  doc: Document.Parsed;
  /** File name to report. */
  file: string;
  /** Offsets to 1-based lines. */
  lineAt: (offset: number) => number;
  /** Collects the result. */
  out: ParseResult;
}

/** Converts issues found at offsets into located errors. */
function toErrors(ctx: Omit<DocumentContext, 'doc'>, issues: readonly YamlIssue[]): LoadError[] {
  return issues.map((issue) => ({
    file: ctx.file,
    line: ctx.lineAt(issue.offset),
    message: truncate(issue.message),
  }));
}

/** A plain object with string `apiVersion` and `kind`. */
function isObjectManifest(
  value: unknown,
): value is Record<string, unknown> & { apiVersion: string; kind: string } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const { apiVersion, kind } = value as Record<string, unknown>;
  return typeof apiVersion === 'string' && apiVersion !== '' && typeof kind === 'string' && kind !== '';
}

/** Adds the object written at `node` as a manifest, or counts it as skipped. */
function addObject(ctx: DocumentContext, value: unknown, node: unknown): void {
  const { doc, file, lineAt } = ctx;
  const start = nodeStart(node) ?? 0;
  const source: SourceLocation = { file, line: lineAt(start) };
  if (!isObjectManifest(value)) {
    ctx.out.skipped.push(source);
    return;
  }
  ctx.out.manifests.push({
    object: value,
    source,
    lineOf: (path) => lineAt(offsetOfPath(doc, node, path) ?? start),
  });
}

/** Adds the items of a `kind: List`; a List without an `items` list is skipped. */
function addListItems(ctx: DocumentContext, list: Record<string, unknown>): void {
  const items = list['items'];
  if (!Array.isArray(items)) {
    ctx.out.skipped.push({ file: ctx.file, line: ctx.lineAt(nodeStart(ctx.doc.contents) ?? 0) });
    return;
  }
  items.forEach((item: unknown, index) =>
    addObject(ctx, item, nodeAtPath(ctx.doc, ctx.doc.contents, ['items', index])),
  );
}

/** Converts a checked document to plain data, refusing alias expansions beyond the budget. */
function toPlainData(ctx: DocumentContext): { value: unknown } | { error: string } {
  try {
    return { value: ctx.doc.toJS({ maxAliasCount: MAX_ALIAS_EXPANSION }) as unknown };
  } catch (error) {
    if (error instanceof ReferenceError) {
      return { error: 'aliases expand too much (possible "billion laughs")' };
    }
    return { error: truncate(error instanceof Error ? error.message : String(error)) };
  }
}

/** Reports a document's YAML errors, at most {@link MAX_ERRORS_PER_DOCUMENT} of them. */
function addYamlErrors(ctx: DocumentContext): void {
  const errors = ctx.doc.errors;
  const shown = errors.slice(0, MAX_ERRORS_PER_DOCUMENT);
  const issues = shown.map((error) => ({ offset: error.pos[0], message: error.message }));
  if (errors.length > shown.length) {
    const last = shown[shown.length - 1]?.pos[0] ?? 0;
    issues.push({
      offset: last,
      message: `${errors.length - shown.length} more YAML errors in this document`,
    });
  }
  ctx.out.errors.push(...toErrors(ctx, issues));
}

/** Turns one composed document into manifests, errors or a skipped entry (an empty document holds nothing). */
function addDocument(ctx: DocumentContext): void {
  const { doc } = ctx;
  if (doc.errors.length > 0) {
    addYamlErrors(ctx);
    return;
  }
  const issues = checkDocument(doc);
  const data = issues.length > 0 ? undefined : toPlainData(ctx);
  if (data === undefined) ctx.out.errors.push(...toErrors(ctx, issues));
  else if ('error' in data) {
    ctx.out.errors.push(...toErrors(ctx, [{ offset: nodeStart(doc.contents) ?? 0, message: data.error }]));
  } else if (isObjectManifest(data.value) && data.value.kind === LIST_KIND) addListItems(ctx, data.value);
  else if (data.value !== null && data.value !== undefined) addObject(ctx, data.value, doc.contents);
}

/**
 * Reads the Kubernetes objects in a YAML text (one or more documents). Pure; never throws. `file` is the name used
 * in source locations and errors.
 */
export function parseManifests(text: string, file: string): ParseResult {
  const stream = splitYamlStream(text);
  const out: ParseResult = { manifests: [], errors: [], skipped: [] };
  const base = { file, lineAt: stream.lineAt, out };
  out.errors.push(...toErrors(base, stream.issues));
  for (const doc of stream.documents) addDocument({ ...base, doc });
  out.errors.sort((a, b) => a.line - b.line);
  return out;
}

/** Reads one input and adds what it holds to `out`. */
async function readOne(input: InputFile, io: InputIo, out: ReadResult): Promise<void> {
  const outcome = await readInput(input, io);
  if ('usageError' in outcome) out.usageErrors.push(outcome.usageError);
  else if ('tooLarge' in outcome) {
    out.errors.push({ file: input.display, line: 1, message: 'file is larger than 64 MiB' });
  } else {
    const parsed = parseManifests(outcome.text, input.display);
    out.manifests.push(...parsed.manifests);
    out.errors.push(...parsed.errors);
    out.skipped.push(...parsed.skipped);
  }
}

/**
 * Reads the Kubernetes objects in `inputs`: files, directories (their `.yaml` and `.yml` files, recursively, sorted
 * by path, skipping hidden entries and `node_modules`) and `-` for standard input. Each file is read once, in the
 * order given. Inputs that do not exist or cannot be read are usage errors; the others are still read.
 */
export async function readManifests(inputs: readonly string[], io: InputIo = {}): Promise<ReadResult> {
  const resolved = await resolveInputs(inputs);
  const out: ReadResult = { manifests: [], errors: [], skipped: [], usageErrors: [...resolved.usageErrors] };
  for (const input of resolved.files) await readOne(input, io, out);
  return out;
}
