/**
 * Transport identity with a real proxyless data plane: a client refuses a server whose certificate does not carry
 * the SPIFFE ID of the workload behind the service (server impersonation), and a DISABLE port serves plaintext.
 */
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import * as grpc from '@grpc/grpc-js';
import { TypeUrl } from '../../src/xds/translate/resources.js';
import { AspenUnderTest, XdsCaller, callOnce, freePort, startWorkload, waitFor } from './harness.js';
import type { CallResult, Peer } from './harness.js';
import { policy, workloads } from './manifests.js';

const run = promisify(execFile);

describe('proxyless gRPC transport identity (grpc-js-xds data plane)', function () {
  this.timeout(60_000);
  let aspen: AspenUnderTest;
  let port: number;
  let server: grpc.Server | undefined;
  const callers: XdsCaller[] = [];
  let frontend: Peer;

  before(async () => {
    aspen = await AspenUnderTest.start();
    port = await freePort();
    frontend = await aspen.peer('shop/frontend', 'frontend');
  });

  afterEach(() => {
    for (const c of callers.splice(0)) c.close();
    server?.forceShutdown();
    server = undefined;
  });

  after(async () => {
    await aspen.stop();
  });

  async function serve(peer: Peer, policies: string): Promise<void> {
    await aspen.apply(`${workloads(port)}${policies}`);
    const version = aspen.version('shop/orders', TypeUrl.Listener);
    server = await startWorkload(peer, port);
    await waitFor('the server to ACK', () =>
      aspen.acked('shop/orders', TypeUrl.Listener, version) ? true : undefined,
    );
  }

  /** One call from a child process (its refused connections die with it, so none stays open here). */
  async function callInChildProcess(peer: Peer, target: string): Promise<CallResult> {
    const file = join(peer.dir, 'bootstrap.json');
    await writeFile(file, peer.bootstrap);
    const script = fileURLToPath(new URL('./peer-call.js', import.meta.url));
    const { stdout } = await run(process.execPath, [script, file, target, '/shop.Orders/Get'], {
      timeout: 30_000,
    });
    return JSON.parse(stdout) as CallResult;
  }

  async function call(): Promise<CallResult> {
    const caller = await XdsCaller.create(frontend, `xds:///orders.shop.svc.cluster.local:${port}`);
    callers.push(caller);
    return caller.call('/shop.Orders/Get');
  }

  it('a client refuses a server presenting another identity (the real one is accepted: e2e.test.ts)', async () => {
    const open = policy('open', '  authorization: { defaultAction: Allow }\n');
    // The workload shop/orders runs as service account `orders`; this server holds a certificate for `impostor`.
    await serve(await aspen.peer('shop/orders', 'impostor'), open);
    const refused = await callInChildProcess(frontend, `xds:///orders.shop.svc.cluster.local:${port}`);
    expect(refused.code).to.equal(grpc.status.UNAVAILABLE);
    expect(refused.details).to.include('No matching subject alternative name');
  });

  it('mTLS DISABLE: the port serves plaintext, to xDS clients and to plain gRPC clients', async () => {
    await serve(
      await aspen.peer('shop/orders', 'orders'),
      policy('plaintext', '  mtls: { mode: DISABLE }\n  authorization: { defaultAction: Allow }\n'),
    );
    expect((await call()).code).to.equal(grpc.status.OK);
    // A local subchannel pool, so closing the client closes its connection (the global pool would keep it open).
    const plain = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), {
      'grpc.use_local_subchannel_pool': 1,
    });
    try {
      expect((await callOnce(plain, '/shop.Orders/Get')).code).to.equal(grpc.status.OK);
    } finally {
      plain.close();
    }
  });
});
