// Shared helpers of the dataplane tests: a real CA and mTLS certificates, a dataplane on a loopback port with
// clients of its three services, an injected clock, and policies from the snapshot builder.
import { ChannelCredentials } from '@grpc/grpc-js';
import { Registry } from 'prom-client';
import { generateRootCa } from '../../src/ca/root.js';
import { issueSvid } from '../../src/ca/issue.js';
import { newCaState, trustBundle } from '../../src/ca/state.js';
import type { CaState } from '../../src/ca/types.js';
import { startDataplane } from '../../src/dataplane/app.js';
import type { Dataplane } from '../../src/dataplane/app.js';
import { stateFromSnapshot } from '../../src/dataplane/from-snapshot.js';
import { KeyHasher } from '../../src/dataplane/key-hash.js';
import type { RateLimitBackend } from '../../src/dataplane/ratelimit/backend.js';
import { MemoryBackend } from '../../src/dataplane/ratelimit/memory.js';
import { MemoryTlsProvider, issueDataplaneTls } from '../../src/dataplane/tls.js';
import { AuthorizationClient } from '../../src/gen/envoy/service/auth/v3/external_auth.js';
import { AccessLogServiceClient } from '../../src/gen/envoy/service/accesslog/v3/als.js';
import { RateLimitServiceClient } from '../../src/gen/envoy/service/ratelimit/v3/rls.js';
import type { ResourceSnapshot } from '../../src/provider/snapshot.js';
import type { Clock, Logger } from '../../src/xds/server/types.js';
import { silentLogger } from '../../src/xds/server/types.js';

/** A clock the test moves. */
export class TestClock implements Clock {
  ms: number;

  /** Starts at `ms` (default 2026-11-28T00:00:00Z). */
  constructor(ms = Date.UTC(2026, 10, 28)) {
    this.ms = ms;
  }

  /** The current test time. */
  now(): Date {
    return new Date(this.ms);
  }

  /** Moves time forward. */
  advance(ms: number): void {
    this.ms += ms;
  }
}

/** A CA valid now (gRPC checks certificates against the real time). */
export async function realCa(trustDomain = 'cluster.local'): Promise<CaState> {
  const root = await generateRootCa({ trustDomain, clock: () => new Date(), validityMs: 24 * 3600 * 1000 });
  if (!root.ok) throw new Error(root.error.message);
  return newCaState(root.value);
}

/**
 * Client credentials of a workload (an SVID of `ca`), trusting `trusted` (default `ca`); the server's SPIFFE ID is
 * not checked by name.
 */
export async function workloadCredentials(
  ca: CaState,
  identity: { namespace: string; serviceAccount: string },
  trusted: CaState = ca,
): Promise<ChannelCredentials> {
  const issued = await issueSvid(ca, identity, { clock: () => new Date() });
  if (!issued.ok || issued.value.privateKeyPem === undefined) throw new Error('cannot issue');
  return ChannelCredentials.createSsl(
    Buffer.from(trustBundle(trusted, () => new Date())),
    Buffer.from(issued.value.privateKeyPem.reveal()),
    Buffer.from(issued.value.certificatePem),
    { checkServerIdentity: () => undefined },
  );
}

/** Credentials that present no client certificate. */
export function anonymousCredentials(ca: CaState): ChannelCredentials {
  return ChannelCredentials.createSsl(Buffer.from(trustBundle(ca, () => new Date())), null, null, {
    checkServerIdentity: () => undefined,
  });
}

/** Clients of the three services, for one caller. */
export interface Clients {
  auth: AuthorizationClient;
  rls: RateLimitServiceClient;
  als: AccessLogServiceClient;
  close(): void;
}

/** Clients connecting to `port` with `credentials`. */
export function clients(port: number, credentials: ChannelCredentials): Clients {
  const address = `127.0.0.1:${port}`;
  const options = { 'grpc.ssl_target_name_override': 'aspen-dataplane' };
  const auth = new AuthorizationClient(address, credentials, options);
  const rls = new RateLimitServiceClient(address, credentials, options);
  const als = new AccessLogServiceClient(address, credentials, options);
  return { auth, rls, als, close: () => [auth, rls, als].forEach((c) => c.close()) };
}

/** A running test dataplane. */
export interface TestDataplane {
  dataplane: Dataplane;
  ca: CaState;
  registry: Registry;
  clock: TestClock;
  /** Clients as a workload of `namespace` (service account `default`). */
  as(namespace: string, serviceAccount?: string): Promise<Clients>;
  /** Replaces the state from a snapshot. */
  load(snap: ResourceSnapshot): void;
  close(): Promise<void>;
}

/** Starts a dataplane on a loopback port with mTLS from a fresh CA. */
export async function testDataplane(
  options: {
    backend?: RateLimitBackend;
    logger?: Logger;
    audit?: Logger;
    clock?: TestClock;
    ca?: CaState;
  } = {},
): Promise<TestDataplane> {
  const ca = options.ca ?? (await realCa());
  const clock = options.clock ?? new TestClock();
  const tls = await issueDataplaneTls(ca, { namespace: 'aspen-system' }, { now: () => new Date() });
  if (!tls.ok) throw new Error(tls.error.message);
  const provider = new MemoryTlsProvider();
  provider.update(tls.value);
  const registry = new Registry();
  const hasher = new KeyHasher();
  const dataplane = await startDataplane(
    {
      listen: '127.0.0.1:0',
      credentials: provider.credentials(),
      trustDomain: 'cluster.local',
      backend: options.backend ?? new MemoryBackend(),
      shutdownGraceMs: 100,
    },
    {
      logger: options.logger ?? silentLogger,
      ...(options.audit === undefined ? {} : { audit: options.audit }),
      registry,
      clock,
      hasher,
    },
  );
  const opened: Clients[] = [];
  return {
    dataplane,
    ca,
    registry,
    clock,
    as: async (namespace, serviceAccount = 'default') => {
      const c = clients(dataplane.port, await workloadCredentials(ca, { namespace, serviceAccount }));
      opened.push(c);
      return c;
    },
    load: (snap) =>
      dataplane.state.update(
        stateFromSnapshot(snap, { hasher: dataplane.hasher, trustDomain: 'cluster.local' }),
      ),
    close: async () => {
      for (const c of opened) c.close();
      await dataplane.close();
    },
  };
}

/** A metric's value for these labels (0 when absent). */
export async function metricValue(
  registry: Registry,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const metric = await registry.getSingleMetric(name)?.get();
  const match = metric?.values.find((v) =>
    Object.entries(labels).every(([k, value]) => v.labels[k] === value),
  );
  return match?.value ?? 0;
}
