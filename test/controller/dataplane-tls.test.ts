/**
 * Secret aspen-dataplane-tls kept by the controller leader (src/controller/dataplane-tls*.ts), against the fake API
 * server through client-node with an injected clock: created on taking leadership with exactly the keys `aspen
 * dataplane --tls-dir` reads, the dataplane SPIFFE ID and the workload trust bundle; renewed at two thirds of its
 * lifetime; never written by a follower or after leadership is lost; its key never logged. The written files serve
 * mTLS through the dataplane's own `credentialsFromDir`.
 */
import { expect } from 'chai';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { Server } from '@grpc/grpc-js';
import { issueSvid } from '../../src/ca/issue.js';
import { trustBundle } from '../../src/ca/state.js';
import type { CaState } from '../../src/ca/types.js';
import { dataplaneTlsAction, DataplaneTlsKeeper } from '../../src/controller/dataplane-tls.js';
import { dataplaneTlsExtension } from '../../src/controller/dataplane-tls-extension.js';
import type { ControllerContext } from '../../src/controller/extension.js';
import { credentialsFromDir, issueDataplaneTls } from '../../src/dataplane/tls.js';
import { kubeWebhookClient } from '../../src/webhook/kube/client-node.js';
import { realCa } from '../dataplane/fixtures.js';
import { eventually } from '../provider/kubernetes/fixtures.js';
import { FakeTimers, recordingLogger, type LogLine } from '../serve/fixtures.js';
import { startFakeApiServer, type FakeApiServer } from '../support/fake-apiserver/index.js';

const NS = 'aspen-system';
const IDENTITY = 'spiffe://cluster.local/ns/aspen-system/sa/aspen-dataplane';
const HOUR = 3_600_000;

type SecretData = Record<string, string>;

function secretData(api: FakeApiServer): SecretData | undefined {
  const secret = api.get('v1', 'Secret', NS, 'aspen-dataplane-tls') as { data?: SecretData } | undefined;
  if (secret?.data === undefined) return undefined;
  return Object.fromEntries(
    Object.entries(secret.data).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]),
  );
}

function uriSan(pem: string): string | undefined {
  return new X509Certificate(pem).subjectAltName;
}

describe('dataplane TLS Secret (controller leader)', function () {
  this.timeout(30_000);
  let ca: CaState;

  before(async () => {
    ca = await realCa();
  });

  describe('what to do with the stored Secret', () => {
    it('creates when absent, keeps a current one, replaces a stale one with the reason', async () => {
      const now = new Date();
      const bundle = trustBundle(ca, () => now);
      const expected = { bundle, identity: IDENTITY, now };
      expect(dataplaneTlsAction(undefined, expected)).to.deep.equal({ kind: 'create' });
      const issued = await issueDataplaneTls(ca, { namespace: NS }, { now: () => now });
      if (!issued.ok) throw new Error(issued.error.message);
      const stored: { data: SecretData; resourceVersion: string } = {
        data: { ...issued.value },
        resourceVersion: '7',
      };
      expect(dataplaneTlsAction(stored, expected)).to.deep.equal({ kind: 'none' });
      const reason = (s: typeof stored, e = expected): string | undefined => {
        const action = dataplaneTlsAction(s, e);
        return action.kind === 'update' ? `${action.resourceVersion}: ${action.reason}` : undefined;
      };
      expect(reason(stored, { ...expected, now: new Date(now.getTime() + 17 * HOUR) })).to.match(
        /^7: renewal/,
      );
      expect(reason({ ...stored, data: { ...stored.data, 'ca.crt': 'other' } })).to.equal(
        '7: the trust bundle changed',
      );
      expect(reason(stored, { ...expected, identity: 'spiffe://cluster.local/ns/x/sa/y' })).to.match(
        /identity is not/,
      );
      const withoutKey = Object.fromEntries(Object.entries(stored.data).filter(([k]) => k !== 'tls.key'));
      expect(reason({ ...stored, data: withoutKey })).to.equal('7: a key is missing');
    });
  });

  describe('against the fake API server', () => {
    let api: FakeApiServer;
    let timers: FakeTimers;
    let logs: LogLine[];
    let leader: boolean;
    let keeper: DataplaneTlsKeeper;

    beforeEach(async () => {
      api = await startFakeApiServer();
      timers = new FakeTimers(Date.now());
      logs = [];
      leader = true;
      keeper = new DataplaneTlsKeeper({
        client: kubeWebhookClient(api.kubeConfig),
        ca,
        namespace: NS,
        trustDomain: 'cluster.local',
        isLeader: () => leader,
        clock: timers,
        timers,
        logger: recordingLogger(logs),
        maxCheckMs: 24 * HOUR,
      });
    });

    afterEach(async () => {
      keeper.stoppedLeading();
      await api.close();
    });

    it('creates the Secret with tls.crt, tls.key and ca.crt for the dataplane identity', async () => {
      expect(await keeper.sync()).to.equal('create');
      const data = secretData(api);
      expect(Object.keys(data ?? {}).sort()).to.deep.equal(['ca.crt', 'tls.crt', 'tls.key']);
      expect(uriSan(data?.['tls.crt'] ?? '')).to.equal(`URI:${IDENTITY}`);
      expect(data?.['ca.crt']).to.equal(trustBundle(ca, () => timers.now()));
      expect(await keeper.sync(), 'nothing to do the second time').to.equal('none');
      const keyBody = (data?.['tls.key'] ?? '').split('\n')[1] ?? 'missing';
      expect(JSON.stringify(logs)).to.not.include(keyBody);
    });

    it('renews at two thirds of the lifetime on its own timer, and stops when leadership is lost', async () => {
      keeper.startedLeading();
      await eventually(() => secretData(api) !== undefined, 'the Secret');
      const first = secretData(api)?.['tls.crt'] ?? '';
      const cert = new X509Certificate(first);
      const lifetime = Date.parse(cert.validTo) - Date.parse(cert.validFrom);
      const renewAt = Math.ceil(Date.parse(cert.validFrom) + (lifetime * 2) / 3);
      await eventually(() => timers.waiting === 1, 'the renewal timer');
      timers.advance(renewAt - timers.now().getTime() - 60_000);
      expect(secretData(api)?.['tls.crt'], 'not before 2/3').to.equal(first);
      timers.advance(60_000);
      await eventually(() => secretData(api)?.['tls.crt'] !== first, 'the renewed certificate');
      // The store changes before the keeper has the API's answer (and logs): wait for the log line as well.
      await eventually(
        () =>
          logs.some((l) => l.message === 'dataplane TLS Secret written' && l.fields['action'] === 'update'),
        'the update logged',
      );

      await eventually(() => timers.waiting === 1, 'the next timer');
      keeper.stoppedLeading();
      leader = false;
      expect(timers.waiting).to.equal(0);
      api.remove('v1', 'Secret', NS, 'aspen-dataplane-tls');
      timers.advance(48 * HOUR);
      expect(await keeper.sync()).to.equal('follower');
      expect(secretData(api)).to.equal(undefined);
    });

    it('runs as a controller extension on leadership only', async () => {
      let started: () => void = () => undefined;
      let stopped: () => void = () => undefined;
      const context = {
        kubeConfig: api.kubeConfig,
        namespace: NS,
        trustDomain: 'cluster.local',
        ca,
        clock: timers,
        timers,
        logger: recordingLogger(logs),
        isLeader: () => leader,
        onLeadership: (s: () => void, t: () => void) => {
          started = s;
          stopped = t;
        },
      } as unknown as ControllerContext;
      const extension = dataplaneTlsExtension()(context);
      expect(secretData(api)).to.equal(undefined);
      started();
      await eventually(() => secretData(api) !== undefined, 'the Secret');
      stopped();
      await extension.stop?.();
      expect(timers.waiting).to.equal(0);
    });
  });

  it('the Secret data serves mTLS through aspen dataplane --tls-dir (credentialsFromDir)', async () => {
    const issued = await issueDataplaneTls(ca, { namespace: NS }, { now: () => new Date() });
    if (!issued.ok) throw new Error(issued.error.message);
    const dir = await mkdtemp(join(tmpdir(), 'aspen-dp-tls-'));
    const server = new Server();
    try {
      const files: SecretData = { ...issued.value };
      for (const [name, content] of Object.entries(files)) await writeFile(join(dir, name), content);
      const port = await new Promise<number>((resolve, reject) =>
        server.bindAsync('127.0.0.1:0', credentialsFromDir(dir), (error, bound) =>
          error === null ? resolve(bound) : reject(error),
        ),
      );
      const client = await issueSvid(
        ca,
        { namespace: 'shop', serviceAccount: 'orders' },
        { clock: () => new Date() },
      );
      if (!client.ok) throw new Error(client.error.message);
      const san = await new Promise<string | undefined>((resolve, reject) => {
        const socket = connect({
          host: '127.0.0.1',
          port,
          ca: issued.value['ca.crt'],
          cert: client.value.certificatePem,
          key: client.value.privateKeyPem?.reveal(),
          ALPNProtocols: ['h2'],
          checkServerIdentity: () => undefined,
        });
        socket.on('secureConnect', () => {
          resolve(socket.getPeerCertificate().subjectaltname);
          socket.destroy();
        });
        socket.on('error', reject);
      });
      expect(san).to.equal(`URI:${IDENTITY}`);
    } finally {
      server.forceShutdown();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
