/**
 * Child processes of the e2e harness (etcd, kube-apiserver, kube-controller-manager, aspen): output to a log file,
 * stopped with SIGTERM (SIGKILL after a grace period) or killed outright to simulate a crash.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

/** A started child process. */
export interface Proc {
  /** Name for messages. */
  name: string;
  /** Log file receiving stdout and stderr. */
  log: string;
  child: ChildProcess;
  /** Resolves with the exit code (or signal name) once the process has exited. */
  exited: Promise<number | string>;
  /** SIGTERM, then SIGKILL after graceMs; resolves once it has exited. */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL (a crash); resolves once it has exited. */
  kill(): Promise<void>;
}

/** Options of {@link startProcess}. */
export interface StartOptions {
  name: string;
  command: string;
  args: string[];
  log: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/** Starts a process with its output appended to `log`. */
export function startProcess(opts: StartOptions): Proc {
  const out = createWriteStream(opts.log, { flags: 'a' });
  const child = spawn(opts.command, opts.args, {
    cwd: opts.cwd,
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.pipe(out);
  child.stderr?.pipe(out);
  const exited = once(child, 'exit').then(([code, signal]) => (code as number | null) ?? String(signal));
  // A process that cannot start (ENOENT) emits 'error' and then 'exit'; keep the error out of the test output.
  child.on('error', (err) => out.write(`spawn error: ${String(err)}\n`));
  const running = (): boolean => child.exitCode === null && child.signalCode === null;
  return {
    name: opts.name,
    log: opts.log,
    child,
    exited,
    async stop(graceMs = 10_000): Promise<void> {
      if (!running()) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
    async kill(): Promise<void> {
      if (!running()) return;
      child.kill('SIGKILL');
      await exited;
    },
  };
}
