/**
 * Finds and reads the YAML inputs named on a command line: files, directories (recursively) and `-` for standard
 * input. The only module of the file provider that touches the file system.
 */
import { Buffer } from 'node:buffer';
import { open, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { MAX_FILE_BYTES } from './limits.js';

/** The name under which standard input is given and shown. */
export const STDIN = '-';

/** Hooks for reading, injectable in tests. */
export interface InputIo {
  /** Reads all of standard input (default: `process.stdin`, at most {@link MAX_FILE_BYTES}). */
  readStdin?: () => Promise<string>;
}

/** One input to read: a file (its path for the file system and the name shown to the user) or standard input. */
export interface InputFile {
  /** Name shown in results: the path as given, joined with the path below a directory; `-` for standard input. */
  display: string;
  /** Path to open; undefined for standard input. */
  path?: string;
}

/** The files named by the inputs, in order, each once. */
export interface ResolvedInputs {
  /** Files to read. */
  files: InputFile[];
  /** Inputs that do not exist or cannot be read, one message each naming the path. */
  usageErrors: string[];
}

/** What reading one input gave: its text, or why it was refused. */
export type ReadOutcome = { text: string } | { tooLarge: true } | { usageError: string };

/** A short reason for a file-system error, naming the path. */
function describeError(display: string, error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return `${display}: no such file or directory`;
  if (code === 'EACCES' || code === 'EPERM') return `${display}: permission denied`;
  if (code === 'EISDIR') return `${display}: is a directory`;
  return `${display}: cannot be read${code === undefined ? '' : ` (${code})`}`;
}

/** True for file names aspen reads from a directory. */
function isYamlName(name: string): boolean {
  return name.endsWith('.yaml') || name.endsWith('.yml');
}

/** Joins a user-given directory and a relative path for display, keeping the directory as the user wrote it. */
function displayName(dir: string, relative: string): string {
  return dir.endsWith('/') || dir.endsWith(path.sep) ? `${dir}${relative}` : `${dir}${path.sep}${relative}`;
}

/** Files and subdirectories of one directory that the walk keeps. */
async function listDirectory(dir: string, relative: string, out: ResolvedInputs): Promise<string[]> {
  const subdirs: string[] = [];
  const entries = await readdir(path.join(dir, relative), { withFileTypes: true });
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const rel = relative === '' ? entry.name : path.join(relative, entry.name);
    // Symbolic links are followed to files only: a link to a directory could form a cycle.
    const isDir = entry.isDirectory();
    if (isDir && entry.name !== 'node_modules') subdirs.push(rel);
    else if (!isDir && isYamlName(entry.name)) {
      out.files.push({ display: displayName(dir, rel), path: path.join(dir, rel) });
    }
  }
  return subdirs;
}

/**
 * Adds every `.yaml` and `.yml` file below `dir` to `out`, sorted by path. Skips directories and files whose name
 * starts with `.` and `node_modules` directories.
 */
async function walkDirectory(dir: string, out: ResolvedInputs): Promise<void> {
  const found: ResolvedInputs = { files: [], usageErrors: [] };
  const pending = [''];
  for (let relative = pending.pop(); relative !== undefined; relative = pending.pop()) {
    try {
      pending.push(...(await listDirectory(dir, relative, found)));
    } catch (error) {
      out.usageErrors.push(describeError(relative === '' ? dir : displayName(dir, relative), error));
    }
  }
  found.files.sort((a, b) => (a.display < b.display ? -1 : a.display > b.display ? 1 : 0));
  out.files.push(...found.files);
}

/**
 * Expands the inputs into the files to read, in the order given (a directory's files sorted by path). A file named
 * twice, directly or through a directory, is read once; so is standard input.
 */
export async function resolveInputs(inputs: readonly string[]): Promise<ResolvedInputs> {
  const out: ResolvedInputs = { files: [], usageErrors: [] };
  for (const input of inputs) {
    if (input === STDIN) {
      out.files.push({ display: STDIN });
      continue;
    }
    try {
      const info = await stat(input);
      if (info.isDirectory()) await walkDirectory(input, out);
      else out.files.push({ display: input, path: input });
    } catch (error) {
      out.usageErrors.push(describeError(input, error));
    }
  }
  return { files: dedupe(out.files), usageErrors: out.usageErrors };
}

/** Keeps the first of several names for the same file. */
function dedupe(files: InputFile[]): InputFile[] {
  const seen = new Set<string>();
  return files.filter((file) => {
    const key = file.path === undefined ? STDIN : path.resolve(file.path);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Reads a file (or FIFO, such as a shell process substitution), refusing more than {@link MAX_FILE_BYTES}. */
async function readFileLimited(file: string): Promise<Buffer | undefined> {
  const handle = await open(file, 'r');
  try {
    const info = await handle.stat();
    if (info.size > MAX_FILE_BYTES) return undefined;
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.alloc(Math.min(MAX_FILE_BYTES + 1 - total, 1024 * 1024));
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
      if (bytesRead === 0) return Buffer.concat(chunks, total);
      chunks.push(chunk.subarray(0, bytesRead));
      total += bytesRead;
      if (total > MAX_FILE_BYTES) return undefined;
    }
  } finally {
    await handle.close();
  }
}

/** Reads `process.stdin` as UTF-8, refusing (undefined) more than {@link MAX_FILE_BYTES}. */
export async function readProcessStdin(): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of process.stdin) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    total += buffer.length;
    if (total > MAX_FILE_BYTES) return undefined;
    chunks.push(buffer);
  }
  return Buffer.concat(chunks, total).toString('utf8');
}

/** Reads standard input through the injected reader, or from the process. */
async function readStdin(io: InputIo): Promise<ReadOutcome> {
  const text = io.readStdin === undefined ? await readProcessStdin() : await io.readStdin();
  if (text === undefined || Buffer.byteLength(text) > MAX_FILE_BYTES) return { tooLarge: true };
  return { text };
}

/** Reads one input as UTF-8 text. Never throws: failures are returned as usage errors naming the input. */
export async function readInput(file: InputFile, io: InputIo = {}): Promise<ReadOutcome> {
  try {
    if (file.path === undefined) return await readStdin(io);
    const bytes = await readFileLimited(file.path);
    return bytes === undefined ? { tooLarge: true } : { text: bytes.toString('utf8') };
  } catch (error) {
    return { usageError: describeError(file.display, error) };
  }
}
