/**
 * Splits a YAML stream into composed documents while guarding against oversized and overly nested documents.
 *
 * The yaml library's `parseAllDocuments` builds the whole concrete syntax tree before anything can be checked: a
 * 60 MiB document takes close to a minute and several GiB, and the library parses about 1 MB per second. Here a
 * scan for document marker lines first finds documents that are certainly over {@link MAX_DOCUMENT_BYTES}; they are
 * refused without being lexed. The lexer then drives the CST parser one token at a time, so any other document is
 * abandoned as soon as it passes the size limit or nests deeper than the parser stack allows, and lexing resumes at
 * the next document marker. Only complete, accepted documents are composed.
 */
import { Buffer } from 'node:buffer';
import { CST, Composer, Lexer, LineCounter, Parser, type Document } from 'yaml';
import { MAX_DEPTH, MAX_DOCUMENT_BYTES, truncate } from './limits.js';

/** A problem in the YAML text, located by character offset. */
export interface YamlIssue {
  /** Character offset into the text. */
  offset: number;
  /** Short message; never carries more than a few characters of the input. */
  message: string;
}

/** The documents of a YAML stream and the problems found while splitting it. */
export interface YamlStream {
  /** Composed documents, in order. Each may still carry its own `errors` (syntax errors found while composing). */
  documents: Document.Parsed[];
  /** Documents refused by a limit, and errors outside any document. */
  issues: YamlIssue[];
  /**
   * The 1-based line of an offset in the whole text. The end of a text that ends with a line break counts as its
   * last line (errors at the end of input are reported there, not on a line the editor does not show).
   */
  lineAt: (offset: number) => number;
}

/**
 * Options of the composer: duplicate keys are checked in linear time by the caller; `<<` merge keys as kubectl;
 * no warnings printed on the process (the library would echo parts of the input to stderr).
 */
const COMPOSER_OPTIONS = { uniqueKeys: false, merge: true, logLevel: 'silent' } as const;

/**
 * Parser stack entries that are not nesting levels: the document itself and the scalar being read. A stack deeper
 * than the depth limit plus these is certainly too deep; the exact depth is checked on the composed document.
 */
const STACK_OVERHEAD = 2;

/** Why a document was refused for its size. */
const TOO_LARGE = 'document is larger than 3 MiB';

/** Lexemes that mark token types and carry no source text. */
const CONTROL_LEXEMES = new Set<string>([CST.DOCUMENT, CST.FLOW_END, CST.SCALAR]);

/** Mutable state of one pass over the stream. */
interface StreamState {
  /** The CST parser; undefined once the current document has been refused. */
  parser: Parser | undefined;
  /** The document token the parser is building, to notice when a new document starts. */
  current: CST.Token | undefined;
  /** UTF-8 bytes of the current document so far. */
  bytes: number;
  /** Offset of the next lexeme in the text. */
  offset: number;
  /** The previous lexeme was the scalar marker, so this one is scalar text. */
  scalarNext: boolean;
  /** Receives the composed documents. */
  composer: Composer;
  /** Offsets where documents start that are known to be too large before parsing. */
  oversized: ReadonlySet<number>;
  /** Collects the result. */
  out: YamlStream;
}

/** Maps offsets in `text` to 1-based lines (with the yaml library's line counter, filled directly). */
function lineMapper(text: string): (offset: number) => number {
  const lineCounter = new LineCounter();
  lineCounter.addNewLine(0);
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) lineCounter.addNewLine(i + 1);
  const last = text.endsWith('\n') ? text.length - 1 : text.length;
  return (offset) => lineCounter.linePos(Math.max(0, Math.min(offset, last))).line;
}

/** Passes CST tokens to the composer and keeps the documents it completes. */
function compose(state: StreamState, tokens: Iterable<CST.Token>): void {
  for (const token of tokens) {
    for (const doc of state.composer.next(token)) state.out.documents.push(doc);
  }
}

/** Stops parsing the current document and records why. */
function refuse(state: StreamState, offset: number, message: string): void {
  state.out.issues.push({ offset, message });
  state.parser = undefined;
  state.current = undefined;
}

/** Checks the document being built against the size and nesting limits after one more lexeme. */
function guard(state: StreamState, parser: Parser, lexeme: string, offset: number): void {
  const top = parser.stack[0];
  if (top !== state.current) {
    state.current = top;
    state.bytes = 0;
  }
  if (top === undefined) return;
  state.bytes += Buffer.byteLength(lexeme);
  if (state.bytes > MAX_DOCUMENT_BYTES) refuse(state, top.offset, TOO_LARGE);
  else if (parser.stack.length > MAX_DEPTH + STACK_OVERHEAD) {
    refuse(state, offset, `nesting is deeper than ${MAX_DEPTH} levels`);
  }
}

/** Advances the state by one lexeme. */
function step(state: StreamState, parser: Parser, lexeme: string): void {
  compose(state, parser.next(lexeme));
  // The lexeme after the scalar marker is scalar text, even if the input spells a control character.
  const isControl = !state.scalarNext && CONTROL_LEXEMES.has(lexeme);
  state.scalarNext = !state.scalarNext && lexeme === CST.SCALAR;
  if (isControl) return;
  const offset = state.offset;
  state.offset += lexeme.length;
  guard(state, parser, lexeme, offset);
}

/** A document marker (`---` or `...`) at the start of a line. */
function markerPattern(): RegExp {
  return /^(?:---|\.\.\.)(?=[ \t\r\n]|$)/gm;
}

/**
 * Where to resume after a document refused at `from`: at the next `---` line, or after the next `...`; the end of
 * the text when there is none. The refused rest of the document is never lexed.
 */
function resumeOffset(text: string, from: number): number {
  const marker = markerPattern();
  marker.lastIndex = from;
  const match = marker.exec(text);
  if (match === null) return text.length;
  return match[0] === '---' ? match.index : match.index + match[0].length;
}

/** True when `text` from `start` to `end` is over {@link MAX_DOCUMENT_BYTES} in UTF-8. */
function tooLarge(text: string, start: number, end: number): boolean {
  const chars = end - start;
  if (chars > MAX_DOCUMENT_BYTES) return true;
  return chars * 3 > MAX_DOCUMENT_BYTES && Buffer.byteLength(text.slice(start, end)) > MAX_DOCUMENT_BYTES;
}

/**
 * Offsets where an oversized document starts, found without lexing: a `---` line (or the start of the text) whose
 * text up to the next marker line is over the limit. The lexer never ends a document between two marker lines, so
 * that document is certainly too large and is refused without being parsed (parsing 3 MiB takes seconds).
 */
function oversizedStarts(text: string): Set<number> {
  const starts = new Set<number>();
  if (text.length * 3 <= MAX_DOCUMENT_BYTES) return starts;
  const marker = markerPattern();
  let from = 0;
  let opensDocument = true;
  for (;;) {
    const match = marker.exec(text);
    const end = match === null ? text.length : match.index;
    if (opensDocument && end > from && tooLarge(text, from, end)) starts.add(from);
    if (match === null) return starts;
    from = match.index;
    opensDocument = match[0] === '---';
  }
}

/**
 * Lexes and parses `text` from `start` until the end, until a document is refused or until an oversized document
 * starts; returns where to go on. Parser offsets stay relative to the whole text, so node ranges and errors can be
 * located in it.
 */
function parseFrom(state: StreamState, text: string, start: number): number {
  if (state.oversized.has(start)) {
    state.out.issues.push({ offset: start, message: TOO_LARGE });
    return resumeOffset(text, start + 1);
  }
  const parser = new Parser();
  parser.offset = start;
  state.parser = parser;
  state.offset = start;
  state.scalarNext = false;
  for (const lexeme of new Lexer().lex(start === 0 ? text : text.slice(start))) {
    if (lexeme === '---' && state.oversized.has(state.offset)) return finish(state, parser, state.offset);
    step(state, parser, lexeme);
    if (state.parser === undefined) return resumeOffset(text, state.offset);
  }
  return finish(state, parser, text.length);
}

/** Completes what the parser holds and returns `next`, where parsing goes on. */
function finish(state: StreamState, parser: Parser, next: number): number {
  compose(state, parser.end());
  return next;
}

/**
 * Splits `text` into composed YAML documents. Documents over {@link MAX_DOCUMENT_BYTES} or nested much deeper than
 * {@link MAX_DEPTH} are refused (reported in `issues`, not composed); the others are returned with their own
 * syntax errors, if any. Never throws for any input.
 */
export function splitYamlStream(text: string): YamlStream {
  const out: YamlStream = { documents: [], issues: [], lineAt: lineMapper(text) };
  const composer = new Composer(COMPOSER_OPTIONS);
  const oversized = oversizedStarts(text);
  const state: StreamState = {
    parser: undefined,
    current: undefined,
    bytes: 0,
    offset: 0,
    scalarNext: false,
    composer,
    oversized,
    out,
  };
  for (let start = 0; start < text.length;) start = parseFrom(state, text, start);
  for (const doc of state.composer.end(false, text.length)) out.documents.push(doc);
  for (const error of state.composer.streamInfo().errors) {
    out.issues.push({ offset: error.pos[0], message: truncate(error.message) });
  }
  return out;
}
