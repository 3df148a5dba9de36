import { expect } from 'chai';
import { Client, Server, credentials, status } from '@grpc/grpc-js';
import type { ChannelCredentials, ServerCredentials, ServiceDefinition, ServiceError } from '@grpc/grpc-js';
import { generateRootCa } from '../../../src/ca/root.js';
import { newCaState, trustBundle } from '../../../src/ca/state.js';
import type { CaState, Clock } from '../../../src/ca/types.js';
import { SubjectAlternativeNameExtension } from '../../../src/ca/x509.js';
import { xdsServerCredentials } from '../../../src/xds/sds/credentials.js';
import { issueServingCert } from '../../../src/xds/sds/serving.js';
import { leafOf, unwrap } from '../../ca/fixtures.js';

const PATH = '/aspen.test.Echo/Echo';
const identity = (b: Buffer): Buffer => b;
const ECHO: ServiceDefinition = {
  echo: {
    path: PATH,
    requestStream: false,
    responseStream: false,
    requestSerialize: identity,
    requestDeserialize: identity,
    responseSerialize: identity,
    responseDeserialize: identity,
  },
};

const now: Clock = () => new Date();

async function liveCa(): Promise<CaState> {
  return newCaState(unwrap(await generateRootCa({ trustDomain: 'cluster.local', clock: now })));
}

async function listen(creds: ServerCredentials): Promise<{ server: Server; port: number }> {
  const server = new Server();
  server.addService(ECHO, {
    echo: (call: { request: Buffer }, callback: (e: null, r: Buffer) => void) => callback(null, call.request),
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync('127.0.0.1:0', creds, (err, p) => (err === null ? resolve(p) : reject(err)));
  });
  return { server, port };
}

function echo(port: number, creds: ChannelCredentials): Promise<Buffer | ServiceError> {
  const client = new Client(`localhost:${port}`, creds);
  return new Promise((resolve) => {
    client.makeUnaryRequest(
      PATH,
      identity,
      identity,
      Buffer.from('ping'),
      { deadline: Date.now() + 5000 },
      (err, value) => {
        client.close();
        resolve(err ?? value ?? Buffer.alloc(0));
      },
    );
  });
}

describe('sds xdsServerCredentials', () => {
  let ca: CaState;
  let server: Server | undefined;

  before(async () => {
    ca = await liveCa();
  });

  afterEach(() => {
    server?.forceShutdown();
    server = undefined;
  });

  it('issues a serving certificate with the DNS SANs and serverAuth only', async () => {
    const cert = unwrap(
      await issueServingCert(ca, { dnsNames: ['aspen.aspen-system.svc', 'localhost'] }, now),
    );
    const san = leafOf(cert.certificatePem).getExtension(SubjectAlternativeNameExtension);
    expect(san?.names.items.map((n) => [n.type, n.value])).to.deep.equal([
      ['dns', 'aspen.aspen-system.svc'],
      ['dns', 'localhost'],
    ]);
    expect(JSON.stringify(cert)).not.to.include('PRIVATE KEY');
  });

  it('refuses invalid DNS names without echoing key material', async () => {
    const result = await issueServingCert(ca, { dnsNames: ['bad name'] }, now);
    expect(result.ok).to.equal(false);
    expect((await issueServingCert(ca, { dnsNames: [] }, now)).ok).to.equal(false);
  });

  it('a client trusting the bundle connects over TLS; one without it fails', async () => {
    const tls = unwrap(
      await xdsServerCredentials(ca, { dnsNames: ['aspen.aspen-system.svc', 'localhost'] }, now),
    );
    const bound = await listen(tls.credentials);
    server = bound.server;
    const trusted = await echo(bound.port, credentials.createSsl(Buffer.from(trustBundle(ca, now))));
    expect(Buffer.isBuffer(trusted) ? trusted.toString() : trusted.message).to.equal('ping');
    const untrusted = await echo(bound.port, credentials.createSsl());
    expect(Buffer.isBuffer(untrusted)).to.equal(false);
    expect((untrusted as ServiceError).code).to.equal(status.UNAVAILABLE);
  });

  it('a client trusting another CA fails', async () => {
    const tls = unwrap(await xdsServerCredentials(ca, { dnsNames: ['localhost'] }, now));
    const bound = await listen(tls.credentials);
    server = bound.server;
    const other = await liveCa();
    const result = await echo(bound.port, credentials.createSsl(Buffer.from(trustBundle(other, now))));
    expect((result as ServiceError).code).to.equal(status.UNAVAILABLE);
  });
});
