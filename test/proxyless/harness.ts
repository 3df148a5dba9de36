/**
 * End-to-end harness for proxyless gRPC: aspen's ADS server on loopback fed by the serve pipeline's stages (load a
 * directory of manifests, translate, check, encode, publish), a workload CA, and real grpc-js-xds peers — an
 * XdsServer (the protected workload) and xDS clients — each with its own bootstrap (passed per channel/server through
 * grpc-js-xds's test-only bootstrap option, so one process holds several identities) and its own certificate files
 * issued by aspen's CA (file_watcher provider). Waits are bounded polls on observable state, never sleeps.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import type * as XdsModule from '@grpc/grpc-js-xds';
import { generateRootCa } from '../../src/ca/root.js';
import { newCaState } from '../../src/ca/state.js';
import type { CaState } from '../../src/ca/types.js';
import { grpcBootstrap } from '../../src/proxyless/bootstrap.js';
import { localCaSource, writeCertificateFiles } from '../../src/proxyless/certificates.js';
import type { CertificateFiles } from '../../src/proxyless/certificates.js';
import { buildProxy, defaultStages, loadDirectory } from '../../src/serve/build.js';
import type { ProxyStages } from '../../src/serve/build.js';
import { publish } from '../../src/serve/publish.js';
import type { PolicyStatus } from '../../src/translate/status.js';
import { SnapshotCache } from '../../src/xds/cache/cache.js';
import { AdsService } from '../../src/xds/server/ads.js';
import { fileModeAuthenticator } from '../../src/xds/server/file-auth.js';
import { XdsServer as AspenXdsServer } from '../../src/xds/server/server.js';
import { silentLogger } from '../../src/xds/server/types.js';
import type { Rejection } from '../../src/xds/server/types.js';
import { defaultXdsConfig } from '../../src/xds/translate/config.js';

/** The option through which grpc-js-xds takes a bootstrap per channel or server (test only). */
const BOOTSTRAP_OPTION = 'grpc.TEST_ONLY_DO_NOT_USE_IN_PROD.xds_bootstrap_config';
/** How long a wait may take before the test fails. */
export const WAIT_MS = 15_000;

/**
 * grpc-js-xds, loaded once with its RBAC filter enabled (it reads the variable when it first loads: every test that
 * touches grpc-js-xds must load it through here).
 */
let loaded: typeof XdsModule | undefined;
export async function xdsModule(): Promise<typeof XdsModule> {
  if (loaded !== undefined) return loaded;
  process.env.GRPC_XDS_EXPERIMENTAL_RBAC = 'true';
  const mod = (await import('@grpc/grpc-js-xds')) as typeof XdsModule & { default?: typeof XdsModule };
  loaded = mod.default ?? mod;
  loaded.register();
  return loaded;
}

/** Polls `check` until it returns a value other than undefined, or fails after `ms`. */
export async function waitFor<T>(
  what: string | (() => string),
  check: () => Promise<T | undefined> | T | undefined,
  ms = WAIT_MS,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${typeof what === 'string' ? what : what()}`);
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A free loopback port (the server Listener names carry the port, so the manifests need it before the bind). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

/** The three methods of the test service. */
export const METHODS = ['/shop.Orders/Get', '/shop.Orders/List', '/shop.Orders/Delete'] as const;

const raw = { serialize: (b: Buffer): Buffer => b, deserialize: (b: Buffer): Buffer => b };

function testService(): grpc.ServiceDefinition {
  const service: Record<string, grpc.MethodDefinition<Buffer, Buffer>> = {};
  for (const path of METHODS) {
    service[path] = {
      path,
      requestStream: false,
      responseStream: false,
      requestSerialize: raw.serialize,
      requestDeserialize: raw.deserialize,
      responseSerialize: raw.serialize,
      responseDeserialize: raw.deserialize,
    };
  }
  return service;
}

/** One workload identity with its certificate files and bootstrap. */
export interface Peer {
  /** The files written (the trust bundle is what a client without a certificate trusts). */
  files: CertificateFiles;
  /** `<namespace>/<workload>`. */
  key: string;
  /** Its bootstrap JSON (string). */
  bootstrap: string;
  /** Directory of its certificate files. */
  dir: string;
}

/** aspen's control plane in the test: ADS on loopback, CA, and a publish step over a manifest directory. */
export class AspenUnderTest {
  readonly cache = new SnapshotCache();
  readonly rejections: Rejection[] = [];
  readonly ads: AdsService;
  readonly dir: string;
  readonly ca: CaState;
  port = 0;
  statuses: PolicyStatus[] = [];
  private readonly server: AspenXdsServer;
  private served = new Set<string>();
  private readonly cleanup: string[] = [];

  private constructor(dir: string, ca: CaState) {
    this.dir = dir;
    this.ca = ca;
    this.ads = new AdsService({
      cache: this.cache,
      authenticate: fileModeAuthenticator(),
      logger: silentLogger,
      events: { onRejected: (rejection) => this.rejections.push(rejection) },
    });
    this.server = new AspenXdsServer(this.ads, silentLogger);
    this.cleanup.push(dir);
  }

  /** A CA, an empty manifest directory, and the ADS server listening on 127.0.0.1. */
  static async start(): Promise<AspenUnderTest> {
    const root = await generateRootCa({ trustDomain: 'cluster.local', clock: () => new Date() });
    if (!root.ok) throw new Error(root.error.message);
    const aspen = new AspenUnderTest(
      await mkdtemp(join(tmpdir(), 'aspen-proxyless-')),
      newCaState(root.value),
    );
    aspen.port = await aspen.server.listen('127.0.0.1:0', grpc.ServerCredentials.createInsecure());
    return aspen;
  }

  /** Writes `manifests` (YAML) as the directory's only file and publishes it, as `aspen serve` does on a change. */
  async apply(manifests: string, stages: ProxyStages = defaultStages): Promise<void> {
    await writeFile(join(this.dir, 'manifests.yaml'), manifests);
    const settings = {
      dir: this.dir,
      defaultNamespace: 'default',
      trustDomain: 'cluster.local',
      xds: defaultXdsConfig(),
    };
    const outcome = await loadDirectory(settings);
    if (!outcome.ok) throw new Error(outcome.problems.join('\n'));
    this.statuses = outcome.statuses;
    const builds = outcome.proxies.map((p) => buildProxy(p, settings.xds, stages));
    const result = publish(this.cache, builds, this.served);
    if (result.failed.length > 0) throw new Error(JSON.stringify(result.failed));
    this.served = result.served;
  }

  /** The version of `typeUrl` currently published for `proxyKey`. */
  version(proxyKey: string, typeUrl: string): string | undefined {
    return this.cache.getSnapshot(proxyKey)?.types.get(typeUrl)?.version;
  }

  /** Whether some stream of `proxyKey` has ACKed `version` of `typeUrl`. */
  acked(proxyKey: string, typeUrl: string, version: string | undefined): boolean {
    return this.ads
      .streams()
      .some(
        (s) =>
          s.stream.proxyKey === proxyKey &&
          s.types.some((t) => t.typeUrl === typeUrl && t.ackedVersion === version),
      );
  }

  /** Issues certificate files for a workload's service account and writes its bootstrap. */
  async peer(key: string, serviceAccount: string): Promise<Peer> {
    const [namespace = '', workload = ''] = key.split('/');
    const dir = await mkdtemp(join(tmpdir(), `aspen-peer-${workload}-`));
    this.cleanup.push(dir);
    const files = await localCaSource(this.ca, { namespace, serviceAccount }, () => new Date())();
    await writeCertificateFiles(dir, files);
    const bootstrap = grpcBootstrap({
      namespace,
      workload,
      xdsAddress: `127.0.0.1:${this.port}`,
      channelCreds: { type: 'insecure' },
      dir,
      refreshIntervalS: 1,
    });
    return { key, dir, bootstrap: JSON.stringify(bootstrap), files };
  }

  /** Stops the server and removes every temporary directory. */
  async stop(): Promise<void> {
    await this.server.close(100);
    await Promise.all(this.cleanup.map((d) => rm(d, { recursive: true, force: true })));
  }
}

/** A proxyless gRPC server (grpc-js-xds XdsServer) answering every method of the test service. */
export async function startWorkload(peer: Peer, port: number): Promise<grpc.Server> {
  const xds = await xdsModule();
  const server = new xds.XdsServer({ [BOOTSTRAP_OPTION]: peer.bootstrap });
  const handler: grpc.handleUnaryCall<Buffer, Buffer> = (call, callback) => callback(null, Buffer.from('ok'));
  const handlers: grpc.UntypedServiceImplementation = {};
  for (const path of METHODS) handlers[path] = handler;
  server.addService(testService(), handlers);
  const credentials = new xds.XdsServerCredentials(grpc.ServerCredentials.createInsecure());
  await new Promise<void>((resolve, reject) => {
    server.bindAsync(`127.0.0.1:${port}`, credentials, (error) =>
      error === null ? resolve() : reject(error),
    );
  });
  return server;
}

/** The gRPC status of one unary call (0 = OK). */
export type CallResult = { code: grpc.status; details: string };

/** A grpc-js xDS client of `target` with `peer`'s identity. */
export class XdsCaller {
  private constructor(private readonly client: grpc.Client) {}

  static async create(peer: Peer, target: string): Promise<XdsCaller> {
    const xds = await xdsModule();
    const credentials = new xds.XdsChannelCredentials(grpc.credentials.createInsecure());
    return new XdsCaller(new grpc.Client(target, credentials, { [BOOTSTRAP_OPTION]: peer.bootstrap }));
  }

  /** Calls `method` (a full gRPC path) and resolves with its status; never rejects. */
  call(method: string, client: grpc.Client = this.client): Promise<CallResult> {
    return callOnce(client, method);
  }

  close(): void {
    this.client.close();
  }
}

/** One unary call on any client: its status. */
export function callOnce(client: grpc.Client, method: string, deadlineMs = 5000): Promise<CallResult> {
  return new Promise((resolve) => {
    client.makeUnaryRequest(
      method,
      raw.serialize,
      raw.deserialize,
      Buffer.from('hi'),
      new grpc.Metadata(),
      { deadline: Date.now() + deadlineMs },
      (error) =>
        resolve(
          error === null
            ? { code: grpc.status.OK, details: '' }
            : { code: error.code, details: error.details },
        ),
    );
  });
}
