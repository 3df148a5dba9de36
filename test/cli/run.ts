/** Runs the CLI in-process with captured streams. */
import { main } from '../../src/cli/main.js';
import type { CliIO } from '../../src/cli/io.js';

/** What one CLI run printed and returned. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `aspen <argv>` with `stdin` as standard input. */
export async function runCli(
  argv: string[],
  options: { stdin?: string; tty?: boolean } = {},
): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const io: CliIO = {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    stdoutIsTTY: options.tty ?? false,
    readStdin: () => Promise.resolve(options.stdin ?? ''),
  };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}
