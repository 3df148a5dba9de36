// A scripted incremental (delta) ADS client for protocol tests: the generated grpc-js client over loopback, driven
// one request at a time. Responses are awaited with a bounded timeout; absence is asserted with a short bounded wait.
import { credentials } from '@grpc/grpc-js';
import type { ClientDuplexStream } from '@grpc/grpc-js';
import { Node } from '../../../src/gen/envoy/config/core/v3/base.js';
import { AggregatedDiscoveryServiceClient } from '../../../src/gen/envoy/service/discovery/v3/ads.js';
import { DeltaDiscoveryRequest } from '../../../src/gen/envoy/service/discovery/v3/discovery.js';
import type { DeltaDiscoveryResponse } from '../../../src/gen/envoy/service/discovery/v3/discovery.js';
import { Status } from '../../../src/gen/google/rpc/status.js';
import { ABSENCE_WAIT_MS, RESPONSE_TIMEOUT_MS } from './client.js';

type Waiter = { resolve: (value: DeltaDiscoveryResponse) => void; reject: (error: Error) => void };

/** One delta ADS stream, as a proxy with `node.cluster = <cluster>` would drive it. */
export class ScriptedDeltaClient {
  private readonly client: AggregatedDiscoveryServiceClient;
  private readonly call: ClientDuplexStream<DeltaDiscoveryRequest, DeltaDiscoveryResponse>;
  private readonly responses: DeltaDiscoveryResponse[] = [];
  private waiter: Waiter | undefined;
  private ended: string | undefined;
  private sentFirst = false;
  private readonly node: Node;

  /** Opens a stream to `address`; the Node goes on the first request only. */
  constructor(address: string, cluster: string) {
    this.node = Node.fromPartial({ id: `${cluster}-pod`, cluster, userAgentName: 'envoy' });
    this.client = new AggregatedDiscoveryServiceClient(address, credentials.createInsecure());
    this.call = this.client.deltaAggregatedResources();
    this.call.on('data', (response: DeltaDiscoveryResponse) => {
      const waiter = this.waiter;
      this.waiter = undefined;
      if (waiter !== undefined) waiter.resolve(response);
      else this.responses.push(response);
    });
    this.call.on('error', () => undefined); // the status event carries the outcome
    this.call.on('status', (status: { code: number; details: string }) => {
      this.ended = `${status.code} ${status.details}`;
      this.waiter?.reject(new Error(`stream ended: ${this.ended}`));
      this.waiter = undefined;
    });
  }

  /** Sends a raw request (the Node is added to the first one). */
  send(request: Partial<Omit<DeltaDiscoveryRequest, '$type'>>): void {
    const node = this.sentFirst ? undefined : this.node;
    this.sentFirst = true;
    this.call.write(DeltaDiscoveryRequest.fromPartial({ ...request, node }));
  }

  /** Subscribes to `names` (none: the legacy wildcard), optionally with the versions the proxy already has. */
  subscribe(
    typeUrl: string,
    names: string[] = [],
    initialResourceVersions: Record<string, string> = {},
  ): void {
    this.send({ typeUrl, resourceNamesSubscribe: names, initialResourceVersions });
  }

  /** Unsubscribes from `names`. */
  unsubscribe(typeUrl: string, names: string[]): void {
    this.send({ typeUrl, resourceNamesUnsubscribe: names });
  }

  /** ACKs a response. */
  ack(response: DeltaDiscoveryResponse): void {
    this.send({ typeUrl: response.typeUrl, responseNonce: response.nonce });
  }

  /** NACKs a response (`error_detail` set). */
  nack(response: DeltaDiscoveryResponse, message: string): void {
    this.send({
      typeUrl: response.typeUrl,
      responseNonce: response.nonce,
      errorDetail: Status.fromPartial({ code: 3, message }),
    });
  }

  /** The next response, or a rejection after `timeoutMs`. */
  next(timeoutMs = RESPONSE_TIMEOUT_MS): Promise<DeltaDiscoveryResponse> {
    const queued = this.responses.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    if (this.ended !== undefined) return Promise.reject(new Error(`stream already ended: ${this.ended}`));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        reject(new Error(`no delta response within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiter = {
        resolve: (response): void => {
          clearTimeout(timer);
          resolve(response);
        },
        reject: (error): void => {
          clearTimeout(timer);
          reject(error);
        },
      };
    });
  }

  /** Resolves if no response arrives within `waitMs`; rejects with the response otherwise. */
  async expectNoResponse(waitMs = ABSENCE_WAIT_MS): Promise<void> {
    const outcome = await this.next(waitMs).then(
      (response) => response,
      () => undefined,
    );
    if (outcome !== undefined) {
      const names = outcome.resources.map((r) => r.name).join(',');
      throw new Error(
        `unexpected delta response: ${outcome.typeUrl} [${names}] removed [${outcome.removedResources.join(',')}]`,
      );
    }
  }

  /** Cancels the stream and closes the channel. */
  close(): void {
    this.call.cancel();
    this.client.close();
  }
}

/** Per-resource versions of a response, by name (what a proxy would put in `initial_resource_versions`). */
export function versionsOf(...responses: DeltaDiscoveryResponse[]): Record<string, string> {
  const versions: Record<string, string> = {};
  for (const response of responses) {
    for (const name of response.removedResources) delete versions[name];
    for (const resource of response.resources) versions[resource.name] = resource.version;
  }
  return versions;
}
