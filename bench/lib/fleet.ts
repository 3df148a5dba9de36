/**
 * The simulated proxies, seen from the benchmark: child processes (`ads-client.ts`) holding the ADS clients, and what
 * they report: per client and type, the last version ACKed and when. {@link Fleet.waitConverged} resolves once every
 * client has ACKed the version the benchmark expects of it.
 */
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ClientCommand, ClientReport, ClientSpec } from './ads-client.js';
import { TYPES } from './ads-client.js';

/** The last ACK of one client and type. */
interface Acked {
  version: string;
  at: number;
}

/** Per client (global index), per type index: the version expected, or undefined when any version will do. */
export type Expectation = (client: number, typeIndex: number) => string | undefined;

/** Where the clients connect. */
export interface FleetTarget {
  /** `host:port`. */
  target: string;
  /** PEM of the CA the server certificate chains to. */
  caPem: string;
  /** Name the server certificate carries. */
  serverName: string;
}

/** Child processes of simulated proxies. */
export class Fleet {
  private readonly children: ChildProcess[] = [];
  private readonly offsets: number[] = [];
  private readonly acked: (Acked | undefined)[][];
  private waiters: (() => void)[] = [];

  /** Forks `processes` children and hands each a share of `clients`; they connect at once. */
  constructor(
    readonly clients: readonly ClientSpec[],
    target: FleetTarget,
    processes = 2,
  ) {
    this.acked = clients.map(() => TYPES.map(() => undefined));
    const script = fileURLToPath(new URL('./ads-client.js', import.meta.url));
    const per = Math.ceil(clients.length / processes);
    for (let p = 0; p < processes; p += 1) {
      const share = clients.slice(p * per, (p + 1) * per);
      if (share.length === 0) break;
      const offset = p * per;
      const child = fork(script, [], {
        serialization: 'advanced',
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      child.on('message', (report: ClientReport) => this.onReport(offset, report));
      this.children.push(child);
      this.offsets.push(offset);
      this.send(child, { cmd: 'start', ...target, clients: share });
    }
  }

  /** Every client drops its connection and reconnects at once. */
  reconnectAll(): void {
    for (const child of this.children) this.send(child, { cmd: 'reconnect' });
  }

  /** Every client drops its connection and stays disconnected (until {@link reconnectAll}). */
  disconnectAll(): void {
    for (const child of this.children) this.send(child, { cmd: 'disconnect' });
  }

  /** Every client reconnects to another server. */
  retarget(target: FleetTarget): void {
    for (const child of this.children)
      this.send(child, { cmd: 'retarget', target: target.target, caPem: target.caPem });
  }

  /** Forgets every ACK seen so far (before a reconnect or a new server). */
  resetAcks(): void {
    for (const row of this.acked) row.fill(undefined);
  }

  /** The time (epoch ms) client `i` ACKed `version` of type `t` last, if it did. */
  ackedAt(client: number, typeIndex: number, version: string): number | undefined {
    const acked = this.acked[client]?.[typeIndex];
    return acked?.version === version ? acked.at : undefined;
  }

  /**
   * Resolves, once every client has ACKed what `expect` says for every type, with each client's convergence time
   * (epoch ms of its last needed ACK); rejects after `timeoutMs` saying how many clients are still behind.
   */
  async waitConverged(
    expect: Expectation,
    timeoutMs: number,
    clients?: readonly number[],
  ): Promise<number[]> {
    const which = clients ?? this.clients.map((_, i) => i);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const times = which.map((c) => this.convergedAt(c, expect));
      if (times.every((t) => t !== undefined)) return times;
      if (Date.now() > deadline) {
        const behind = times.filter((t) => t === undefined).length;
        throw new Error(`${behind} of ${which.length} clients not converged after ${timeoutMs} ms`);
      }
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 200).unref();
      });
    }
  }

  /** Stops the children. */
  async stop(): Promise<void> {
    await Promise.all(
      this.children.map(
        (child) =>
          new Promise<void>((resolve) => {
            child.once('exit', () => resolve());
            this.send(child, { cmd: 'stop' });
            setTimeout(() => {
              child.kill();
              resolve();
            }, 5000).unref();
          }),
      ),
    );
  }

  private convergedAt(client: number, expect: Expectation): number | undefined {
    let latest = 0;
    for (let t = 0; t < TYPES.length; t += 1) {
      const acked = this.acked[client]?.[t];
      const want = expect(client, t);
      if (acked === undefined || (want !== undefined && acked.version !== want)) return undefined;
      latest = Math.max(latest, acked.at);
    }
    return latest;
  }

  private onReport(offset: number, report: ClientReport): void {
    if (report.ev === 'error') {
      process.stderr.write(`client process: ${report.message}\n`);
      return;
    }
    if (report.ev !== 'acks') return;
    for (const [client, typeIndex, version, at] of report.acks) {
      const row = this.acked[offset + client];
      if (row !== undefined) row[typeIndex] = { version, at };
    }
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  private send(child: ChildProcess, command: ClientCommand): void {
    child.send(command);
  }
}
