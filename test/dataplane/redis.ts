// A real redis-server for tests: on a free loopback port, in a temporary directory, no persistence; stopped by
// `stop()`. Installs Debian's redis-server through scripts/test-services.sh when it is missing.
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A running test Redis. */
export interface TestRedis {
  /** Its port on 127.0.0.1. */
  port: number;
  /** Pauses the process (SIGSTOP): connections hang, as with a partitioned Redis. */
  pause(): void;
  /** Resumes a paused process. */
  resume(): void;
  /** Stops it and removes its directory. */
  stop(): Promise<void>;
}

function hasRedis(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

/** Makes sure redis-server is installed (scripts/test-services.sh). */
export function ensureRedisInstalled(): void {
  if (hasRedis()) return;
  const result = spawnSync('bash', ['scripts/test-services.sh'], { stdio: 'inherit' });
  if (result.status !== 0 || !hasRedis())
    throw new Error('redis-server is not installed (see scripts/test-services.sh)');
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function waitReady(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`redis-server did not start:\n${output}`)), 10000);
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited (${String(code)}):\n${output}`));
    });
  });
}

/** PEM material of a TLS-only Redis. */
export interface RedisTls {
  /** Server certificate chain. */
  cert: string;
  /** Server key. */
  key: string;
  /** CA bundle (client certificates are not required). */
  ca: string;
}

/** The TLS arguments (files written into `dir`); plaintext is turned off. */
async function tlsArgs(dir: string, port: number, tls: RedisTls): Promise<string[]> {
  await writeFile(join(dir, 'cert.pem'), tls.cert);
  await writeFile(join(dir, 'key.pem'), tls.key);
  await writeFile(join(dir, 'ca.pem'), tls.ca);
  return [
    '--port',
    '0',
    '--tls-port',
    String(port),
    '--tls-cert-file',
    join(dir, 'cert.pem'),
    '--tls-key-file',
    join(dir, 'key.pem'),
    '--tls-ca-cert-file',
    join(dir, 'ca.pem'),
    '--tls-auth-clients',
    'no',
  ];
}

/** Starts redis-server; `password` turns on AUTH (requirepass); `tls` serves TLS only. */
export async function startRedis(options: { password?: string; tls?: RedisTls } = {}): Promise<TestRedis> {
  ensureRedisInstalled();
  const dir = await mkdtemp(join(tmpdir(), 'aspen-redis-'));
  const port = await freePort();
  const listen = options.tls === undefined ? ['--port', String(port)] : await tlsArgs(dir, port, options.tls);
  const args = [...listen, '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir];
  if (options.password !== undefined) args.push('--requirepass', options.password);
  const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    await waitReady(child);
  } catch (error) {
    child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    port,
    pause: () => child.kill('SIGSTOP'),
    resume: () => child.kill('SIGCONT'),
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGCONT');
        child.kill('SIGKILL');
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
