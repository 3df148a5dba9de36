/**
 * The webhook load generator, run as a child process (so its work does not share the server's event loop), as the
 * kube-apiserver calls admission webhooks: HTTPS with keep-alive over a few connections, AdmissionReview v1 bodies.
 * Open loop: request `i` is due at `start + i / rate`; it is sent then whatever happened to earlier ones, and its
 * latency is measured from that due time, so a stall delays (and counts against) every request due during it
 * instead of hiding behind the slow one (no coordinated omission). A request not answered within the timeout, a
 * status other than 200, or an answer other than the expected verdict is an error.
 */
import { Agent, request } from 'node:https';

/** One request of the load: the path, the body and the verdict the answer must carry. */
export interface LoadRequest {
  /** `/inject` or `/validate`. */
  path: string;
  /** The AdmissionReview, serialised. */
  body: string;
  /** The expected `response.allowed`. */
  allowed: boolean;
  /** When true, an allowed answer must carry a JSON patch (injection). */
  patch?: boolean;
}

/** What the parent sends: where to connect, and the load. */
export interface LoadCommand {
  port: number;
  caPem: string;
  serverName: string;
  /** Connections (sockets) of the keep-alive agent. */
  connections: number;
  /** Requests per second. */
  rate: number;
  /** How long requests are sent (after the warm-up). */
  durationMs: number;
  /** Requests are first sent at the same rate for this long, answers checked but latencies not kept (JIT, TLS). */
  warmupMs: number;
  /** Per-request timeout (the webhook configurations' `timeoutSeconds`). */
  timeoutMs: number;
  /** The requests, used in turn. */
  requests: LoadRequest[];
}

/** What the child reports: latency of each answered request (ms, from its due time) and the errors. */
export interface LoadReport {
  sent: number;
  /** Requests sent during the warm-up (their latencies are not in `latencies`). */
  warmup: number;
  latencies: number[];
  errors: number;
  /** The first few error reasons. */
  errorSamples: string[];
  /** How late the sender was, at worst, in sending a request after its due time (ms). */
  maxSendLag: number;
  /** CPU time of the load generator over the run (ms). */
  cpuMs: number;
}

interface Answer {
  status: number;
  text: string;
}

function post(agent: Agent, command: LoadCommand, load: LoadRequest): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: command.port,
        path: load.path,
        method: 'POST',
        agent,
        ca: command.caPem,
        servername: command.serverName,
        timeout: command.timeoutMs,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(load.body) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${command.timeoutMs} ms`)));
    req.on('error', reject);
    req.end(load.body);
  });
}

/**
 * Why an answer is wrong, or undefined when it is the expected one. The AdmissionReview is scanned rather than
 * parsed (keeps the load generator cheap): the server writes it with `JSON.stringify`, so `"allowed":` only occurs
 * as the key (a quote inside a string value would be escaped).
 */
export function checkAnswer(answer: Answer, load: LoadRequest): string | undefined {
  if (answer.status !== 200) return `HTTP ${answer.status}: ${answer.text.slice(0, 200)}`;
  const allowed = answer.text.includes('"allowed":true')
    ? true
    : answer.text.includes('"allowed":false')
      ? false
      : undefined;
  if (allowed !== load.allowed) return `${load.path}: allowed ${String(allowed)}, expected ${load.allowed}`;
  if (load.patch === true && !answer.text.includes('"patch":"')) return `${load.path}: no patch`;
  return undefined;
}

class Run {
  readonly report: LoadReport = {
    sent: 0,
    warmup: 0,
    latencies: [],
    errors: 0,
    errorSamples: [],
    maxSendLag: 0,
    cpuMs: 0,
  };
  private outstanding = 0;
  private closed = false;
  private finished: (() => void) | undefined;
  private readonly agent: Agent;

  constructor(private readonly command: LoadCommand) {
    this.agent = new Agent({ keepAlive: true, maxSockets: command.connections });
  }

  private error(reason: string): void {
    this.report.errors += 1;
    if (this.report.errorSamples.length < 5) this.report.errorSamples.push(reason);
  }

  private settle(why: string | undefined, due: number, measured: boolean): void {
    if (this.closed) return;
    if (why !== undefined) this.error(why);
    else if (measured) this.report.latencies.push(performance.now() - due);
  }

  private async one(load: LoadRequest, due: number, measured: boolean): Promise<void> {
    try {
      this.settle(checkAnswer(await post(this.agent, this.command, load), load), due, measured);
    } catch (error) {
      this.settle(error instanceof Error ? error.message : String(error), due, measured);
    }
    this.outstanding -= 1;
    if (this.outstanding === 0) this.finished?.();
  }

  /** Sends on the timetable; resolves once every request is answered or timed out. */
  async run(): Promise<LoadReport> {
    const { rate, durationMs, warmupMs, requests } = this.command;
    const warmup = Math.round((rate * warmupMs) / 1000);
    const total = warmup + Math.round((rate * durationMs) / 1000);
    this.report.warmup = warmup;
    const cpu = process.cpuUsage();
    const start = performance.now() + 20;
    let next = 0;
    await new Promise<void>((resolve) => {
      const tick = (): void => {
        const now = performance.now();
        for (; next < total && start + (next * 1000) / rate <= now; next += 1) {
          const due = start + (next * 1000) / rate;
          if (next >= warmup) this.report.maxSendLag = Math.max(this.report.maxSendLag, now - due);
          this.outstanding += 1;
          if (next >= warmup) this.report.sent += 1;
          void this.one(requests[next % requests.length] as LoadRequest, due, next >= warmup);
        }
        if (next < total) setTimeout(tick, Math.max(0, start + (next * 1000) / rate - performance.now()));
        else resolve();
      };
      tick();
    });
    if (this.outstanding > 0) {
      // Requests still queued or running one timeout after the last was due are errors (never answered in time).
      await new Promise<void>((resolve) => {
        this.finished = resolve;
        setTimeout(resolve, this.command.timeoutMs).unref();
      });
    }
    this.closed = true;
    if (this.outstanding > 0) this.error(`${this.outstanding} requests not answered by the end of the run`);
    this.report.errors += Math.max(0, this.outstanding - 1);
    this.agent.destroy();
    const used = process.cpuUsage(cpu);
    this.report.cpuMs = (used.user + used.system) / 1000;
    return this.report;
  }
}

if (process.send !== undefined) {
  process.on('message', (command: LoadCommand) => {
    void new Run(command).run().then((report) => process.send?.(report));
  });
  process.on('disconnect', () => process.exit(0));
}
