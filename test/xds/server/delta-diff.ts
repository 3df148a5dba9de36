// Helpers of the delta differential test (delta-diff.test.ts): a driver that runs one scenario against one server
// and records what the proxy observes, with everything opaque (nonces, versions) stripped.
import { Cluster } from '../../../src/gen/envoy/config/cluster/v3/cluster.js';
import { Listener } from '../../../src/gen/envoy/config/listener/v3/listener.js';
import { RouteConfiguration } from '../../../src/gen/envoy/config/route/v3/route.js';
import type { DeltaDiscoveryResponse } from '../../../src/gen/envoy/service/discovery/v3/discovery.js';
import type { SnapshotInput } from '../../../src/xds/cache/index.js';
import { ScriptedDeltaClient } from './delta-client.js';
import { CDS, LDS, RDS } from './harness.js';

/** How long a step waits to conclude that nothing is sent (bounded; the same for both servers). */
export const QUIET_MS = 300;

/** One step's outcome, with everything opaque stripped. */
export type Observation =
  'nothing' | { type: string; resources: { name: string; content: unknown }[]; removed: string[] };

function decoded(typeUrl: string, value: Uint8Array): unknown {
  if (typeUrl === CDS) return Cluster.toJSON(Cluster.decode(value));
  if (typeUrl === LDS) return Listener.toJSON(Listener.decode(value));
  if (typeUrl === RDS) return RouteConfiguration.toJSON(RouteConfiguration.decode(value));
  return Buffer.from(value).toString('base64');
}

export function observe(response: DeltaDiscoveryResponse): Observation {
  const resources = response.resources
    .map((r) => ({
      name: r.name,
      content: decoded(r.resource?.typeUrl ?? '', r.resource?.value ?? new Uint8Array()),
    }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { type: response.typeUrl, resources, removed: [...response.removedResources].sort() };
}

/** Names and removals of an observation, for readable expectations. */
export function brief(o: Observation): string {
  if (o === 'nothing') return 'nothing';
  const short = o.type.split('.').pop() ?? o.type;
  return `${short} [${o.resources.map((r) => r.name).join(',')}] removed [${o.removed.join(',')}]`;
}

/** What a scenario drives: one server, the observations so far, and the raw responses (for versions). */
export class Driver {
  readonly seen: Observation[] = [];
  private readonly clients: ScriptedDeltaClient[] = [];
  private readonly address: string;
  private readonly setter: (proxyKey: string, input: SnapshotInput) => Promise<void>;
  private readonly proxyKey: string;

  constructor(
    address: string,
    setter: (proxyKey: string, input: SnapshotInput) => Promise<void>,
    proxyKey: string,
  ) {
    this.address = address;
    this.setter = setter;
    this.proxyKey = proxyKey;
  }

  connect(): ScriptedDeltaClient {
    const client = new ScriptedDeltaClient(this.address, this.proxyKey);
    this.clients.push(client);
    return client;
  }

  set(input: SnapshotInput): Promise<void> {
    return this.setter(this.proxyKey, input);
  }

  /** Awaits a response (bounded) and records it. */
  async got(client: ScriptedDeltaClient): Promise<DeltaDiscoveryResponse> {
    const response = await client.next();
    this.seen.push(observe(response));
    return response;
  }

  /** Records whatever arrives within {@link QUIET_MS}: `nothing`, or the response (returned, to be answered). */
  async quiet(client: ScriptedDeltaClient): Promise<DeltaDiscoveryResponse | undefined> {
    const response = await client.next(QUIET_MS).then(
      (r) => r,
      () => undefined,
    );
    this.seen.push(response === undefined ? 'nothing' : observe(response));
    return response;
  }

  close(): void {
    for (const client of this.clients) client.close();
  }
}

export type Scenario = (d: Driver) => Promise<void>;
