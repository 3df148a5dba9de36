/**
 * A child process holding many lightweight ADS clients (state of the world, over TLS, one HTTP/2 connection each, as
 * separate Envoys would have). Each client sends the Node on its first request, subscribes to clusters and listeners
 * (wildcard) and to its route configurations by name, ACKs every response at once and reports each ACK (type,
 * version, time) to the parent. Responses are not decoded: a minimal scan reads version, type URL, nonce and the
 * resource count, so the clients cost little CPU next to the server under test. Clients reconnect (with jitter) when
 * their stream ends, as Envoy does; the parent can order a reconnect of every client at once.
 *
 * Run by `fleet.ts` with `child_process.fork`; messages are {@link ClientCommand} in, {@link ClientReport} out.
 */
import { credentials, makeGenericClientConstructor, Metadata } from '@grpc/grpc-js';
import type { Client, ClientDuplexStream } from '@grpc/grpc-js';
import { BinaryReader } from '@bufbuild/protobuf/wire';
import { DiscoveryRequest } from '../../src/gen/envoy/service/discovery/v3/discovery.js';

/** One simulated proxy. */
export interface ClientSpec {
  /** `node.cluster`: `<namespace>/<workload>`. */
  cluster: string;
  /** `node.id`: `<namespace>/<pod>`. */
  nodeId: string;
  /** Route configuration names to subscribe to. */
  routes: string[];
}

/** Parent → child. */
export type ClientCommand =
  | { cmd: 'start'; target: string; caPem: string; serverName: string; clients: ClientSpec[] }
  | { cmd: 'reconnect' }
  | { cmd: 'disconnect' }
  | { cmd: 'retarget'; target: string; caPem: string }
  | { cmd: 'stop' };

/** One ACK: client index (in this child), type index (see {@link TYPES}), version, epoch milliseconds. */
export type AckRecord = [number, number, string, number];

/** Child → parent. */
export type ClientReport =
  { ev: 'acks'; acks: AckRecord[] } | { ev: 'stopped' } | { ev: 'error'; message: string };

/** The types every client subscribes to, in the order Envoy asks for them. */
export const TYPES = [
  'type.googleapis.com/envoy.config.cluster.v3.Cluster',
  'type.googleapis.com/envoy.config.listener.v3.Listener',
  'type.googleapis.com/envoy.config.route.v3.RouteConfiguration',
] as const;

const METHOD = '/envoy.service.discovery.v3.AggregatedDiscoveryService/StreamAggregatedResources';

/** What a client needs of a response. */
interface ResponseHead {
  version: string;
  typeUrl: string;
  nonce: string;
  resources: number;
}

/** Reads fields 1 (version_info), 2 (resources, counted and skipped), 4 (type_url), 5 (nonce); skips the rest. */
export function scanResponse(bytes: Uint8Array): ResponseHead {
  const reader = new BinaryReader(bytes);
  const head: ResponseHead = { version: '', typeUrl: '', nonce: '', resources: 0 };
  while (reader.pos < reader.len) {
    const [field, wireType] = reader.tag();
    if (field === 1) head.version = reader.string();
    else if (field === 4) head.typeUrl = reader.string();
    else if (field === 5) head.nonce = reader.string();
    else {
      if (field === 2) head.resources += 1;
      reader.skip(wireType);
    }
  }
  return head;
}

const Ads = makeGenericClientConstructor(
  {
    stream: {
      path: METHOD,
      requestStream: true,
      responseStream: true,
      requestSerialize: (value: DiscoveryRequest): Buffer =>
        Buffer.from(DiscoveryRequest.encode(value).finish()),
      requestDeserialize: (value: Buffer): DiscoveryRequest => DiscoveryRequest.decode(value),
      responseSerialize: (value: Buffer): Buffer => value,
      responseDeserialize: (value: Buffer): ResponseHead => scanResponse(value),
    },
  },
  'ads',
);

type Stream = ClientDuplexStream<DiscoveryRequest, ResponseHead>;

const pending: AckRecord[] = [];
let target = '';
let caPem = '';
let serverName = 'localhost';
let stopping = false;

function request(spec: ClientSpec, typeIndex: number, ack?: ResponseHead): DiscoveryRequest {
  const typeUrl = TYPES[typeIndex] ?? '';
  return DiscoveryRequest.fromPartial({
    typeUrl,
    versionInfo: ack?.version ?? '',
    responseNonce: ack?.nonce ?? '',
    resourceNames: typeIndex === 2 ? spec.routes : [],
    node:
      ack === undefined && typeIndex === 0
        ? {
            id: spec.nodeId,
            cluster: spec.cluster,
            userAgentName: 'envoy',
            userAgentVersionType: { $case: 'userAgentVersion', value: '1.36.2' },
          }
        : undefined,
  });
}

/** One simulated proxy's connection and stream. */
class SimClient {
  private client: Client | undefined;
  private stream: Stream | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly index: number,
    private readonly spec: ClientSpec,
  ) {}

  connect(): void {
    const creds = credentials.createSsl(Buffer.from(caPem));
    this.client = new Ads(target, creds, {
      'grpc.use_local_subchannel_pool': 1,
      'grpc.ssl_target_name_override': serverName,
      'grpc.default_authority': serverName,
      'grpc.max_receive_message_length': 256 * 1024 * 1024,
      // Envoy's HTTP/2 windows for an xDS cluster are 256 MiB by default; grpc-js's 64 KiB would throttle the push.
      'grpc-node.flow_control_window': 64 * 1024 * 1024,
      'grpc.initial_reconnect_backoff_ms': 100,
      'grpc.max_reconnect_backoff_ms': 1000,
    });
    const stream = (this.client as unknown as { stream(m: Metadata): Stream }).stream(new Metadata());
    this.stream = stream;
    stream.on('data', (head: ResponseHead) => this.onResponse(head));
    stream.on('error', () => this.restart());
    stream.on('end', () => this.restart());
    for (let t = 0; t < TYPES.length; t += 1) stream.write(request(this.spec, t));
  }

  private onResponse(head: ResponseHead): void {
    const typeIndex = TYPES.indexOf(head.typeUrl as (typeof TYPES)[number]);
    if (typeIndex < 0) return;
    this.stream?.write(request(this.spec, typeIndex, head));
    pending.push([this.index, typeIndex, head.version, performance.timeOrigin + performance.now()]);
  }

  /** Drops the connection; unless stopping, reconnects after 50–250 ms (Envoy backs off similarly). */
  restart(delayMs = 50 + Math.random() * 200): void {
    this.close();
    if (stopping) return;
    this.timer = setTimeout(() => this.connect(), delayMs);
  }

  close(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    const stream = this.stream;
    this.stream = undefined;
    stream?.removeAllListeners();
    stream?.on('error', () => undefined);
    stream?.cancel();
    this.client?.close();
    this.client = undefined;
  }
}

let clients: SimClient[] = [];

function send(report: ClientReport): void {
  process.send?.(report);
}

function onCommand(command: ClientCommand): void {
  if (command.cmd === 'start') {
    ({ target, caPem, serverName } = command);
    clients = command.clients.map((spec, i) => new SimClient(i, spec));
    for (const client of clients) client.connect();
  } else if (command.cmd === 'reconnect') {
    for (const client of clients) client.restart(0);
  } else if (command.cmd === 'disconnect') {
    for (const client of clients) client.close();
  } else if (command.cmd === 'retarget') {
    ({ target, caPem } = command);
    for (const client of clients) client.restart(0);
  } else {
    stopping = true;
    for (const client of clients) client.close();
    flush();
    send({ ev: 'stopped' });
    setTimeout(() => process.exit(0), 50);
  }
}

function flush(): void {
  if (pending.length > 0) send({ ev: 'acks', acks: pending.splice(0) });
}

if (process.send !== undefined) {
  process.on('message', (command: ClientCommand) => {
    try {
      onCommand(command);
    } catch (error) {
      send({ ev: 'error', message: String(error) });
    }
  });
  setInterval(flush, 20).unref();
  process.on('disconnect', () => process.exit(0));
}
