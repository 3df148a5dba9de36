/** The effects a CLI command may use, passed in so commands are testable without a process. */

/** Standard streams and terminal facts for one command run. */
export interface CliIO {
  /** Writes machine-readable output. */
  stdout: (text: string) => void;
  /** Writes problems and human messages. */
  stderr: (text: string) => void;
  /** Whether stdout is a terminal (human-readable tables instead of JSON). */
  stdoutIsTTY: boolean;
  /** Reads all of standard input (for the `-` path). */
  readStdin: () => Promise<string>;
}

/** Exit codes shared by every command. */
export const ExitCode = {
  /** Success: nothing found. */
  Ok: 0,
  /** Problems (or findings at/above the threshold) found. */
  Problems: 1,
  /** Usage error: bad flags, unreadable paths. */
  Usage: 2,
} as const;

/** The CliIO of the running process. */
export function processIO(): CliIO {
  return {
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    stdoutIsTTY: process.stdout.isTTY === true,
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
  };
}
