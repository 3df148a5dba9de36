// A scripted ADS client for protocol tests: the generated grpc-js client over loopback, driven one request at a time.
// Responses are awaited with a bounded timeout (never a sleep); absence is asserted with a short bounded wait.
import { credentials } from '@grpc/grpc-js';
import type { ChannelCredentials, ClientDuplexStream, StatusObject } from '@grpc/grpc-js';
import { Node } from '../../../src/gen/envoy/config/core/v3/base.js';
import { AggregatedDiscoveryServiceClient } from '../../../src/gen/envoy/service/discovery/v3/ads.js';
import { Status } from '../../../src/gen/google/rpc/status.js';
import { DiscoveryRequest } from '../../../src/gen/envoy/service/discovery/v3/discovery.js';
import type { DiscoveryResponse } from '../../../src/gen/envoy/service/discovery/v3/discovery.js';

/** How long `next()` waits by default before failing the test. */
export const RESPONSE_TIMEOUT_MS = 2000;
/** How long `expectNoResponse()` waits by default. */
export const ABSENCE_WAIT_MS = 200;

type Waiter<T> = { resolve: (value: T) => void; reject: (error: Error) => void };

/** One ADS stream, as a proxy with `node.cluster = <proxyKey>` would drive it. */
export class ScriptedAdsClient {
  private readonly client: AggregatedDiscoveryServiceClient;
  private readonly call: ClientDuplexStream<DiscoveryRequest, DiscoveryResponse>;
  private readonly responses: DiscoveryResponse[] = [];
  private responseWaiter: Waiter<DiscoveryResponse> | undefined;
  private finalStatus: StatusObject | undefined;
  private statusWaiter: ((status: StatusObject) => void) | undefined;
  private sentFirst = false;
  private readonly node: Node;

  /**
   * Opens a stream to `address`; the Node (id `<cluster>-pod`, cluster `cluster`, Envoy `options.envoyVersion`,
   * default 1.36.2) goes on the first request only. Plaintext unless `options.credentials` are given.
   */
  constructor(
    address: string,
    cluster: string,
    options: { credentials?: ChannelCredentials; envoyVersion?: [number, number, number] } = {},
  ) {
    const [majorNumber, minorNumber, patch] = options.envoyVersion ?? [1, 36, 2];
    this.node = Node.fromPartial({
      id: `${cluster}-pod`,
      cluster,
      userAgentName: 'envoy',
      userAgentVersionType: {
        $case: 'userAgentBuildVersion',
        value: { version: { majorNumber, minorNumber, patch } },
      },
    });
    this.client = new AggregatedDiscoveryServiceClient(
      address,
      options.credentials ?? credentials.createInsecure(),
    );
    this.call = this.client.streamAggregatedResources();
    this.call.on('data', (response: DiscoveryResponse) => {
      const waiter = this.responseWaiter;
      this.responseWaiter = undefined;
      if (waiter !== undefined) {
        waiter.resolve(response);
      } else {
        this.responses.push(response);
      }
    });
    this.call.on('error', () => undefined); // the status event carries the outcome
    this.call.on('status', (status: StatusObject) => {
      this.finalStatus = status;
      this.statusWaiter?.(status);
      this.responseWaiter?.reject(new Error(`stream ended: ${status.code} ${status.details}`));
      this.responseWaiter = undefined;
    });
  }

  /** Sends a raw request (the Node is added to the first one). */
  send(request: Partial<Omit<DiscoveryRequest, '$type'>>): void {
    const node = this.sentFirst ? undefined : this.node;
    this.sentFirst = true;
    this.call.write(DiscoveryRequest.fromPartial({ ...request, node }));
  }

  /** A first (or subscription-changing) request for a type; `names` empty means wildcard. */
  subscribe(typeUrl: string, names: string[] = []): void {
    this.send({ typeUrl, resourceNames: names });
  }

  /** ACKs a response (repeating the subscription `names`). */
  ack(response: DiscoveryResponse, names: string[] = []): void {
    this.send({
      typeUrl: response.typeUrl,
      versionInfo: response.versionInfo,
      responseNonce: response.nonce,
      resourceNames: names,
    });
  }

  /** NACKs a response: `error_detail` set, version_info the last good version (as Envoy and grpc-js-xds do). */
  nack(response: DiscoveryResponse, lastGoodVersion: string, message: string, names: string[] = []): void {
    this.send({
      typeUrl: response.typeUrl,
      versionInfo: lastGoodVersion,
      responseNonce: response.nonce,
      resourceNames: names,
      errorDetail: Status.fromPartial({ code: 3, message }),
    });
  }

  /** The next response, or a rejection after `timeoutMs`. */
  next(timeoutMs = RESPONSE_TIMEOUT_MS): Promise<DiscoveryResponse> {
    const queued = this.responses.shift();
    if (queued !== undefined) {
      return Promise.resolve(queued);
    }
    if (this.finalStatus !== undefined) {
      return Promise.reject(new Error(`stream already ended: ${this.finalStatus.code}`));
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.responseWaiter = undefined;
        reject(new Error(`no response within ${timeoutMs} ms`));
      }, timeoutMs);
      this.responseWaiter = {
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
      throw new Error(`unexpected response: ${outcome.typeUrl} version ${outcome.versionInfo}`);
    }
  }

  /** The stream's final status, once the server ends it (rejects after `timeoutMs`). */
  status(timeoutMs = RESPONSE_TIMEOUT_MS): Promise<StatusObject> {
    if (this.finalStatus !== undefined) {
      return Promise.resolve(this.finalStatus);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`stream still open after ${timeoutMs} ms`)), timeoutMs);
      this.statusWaiter = (status): void => {
        clearTimeout(timer);
        resolve(status);
      };
    });
  }

  /** Cancels the stream and closes the channel. */
  close(): void {
    this.call.cancel();
    this.client.close();
  }
}
