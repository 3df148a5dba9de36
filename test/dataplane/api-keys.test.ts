// The API-key check over a real mTLS gRPC connection: known keys name the client, unknown keys are refused, the
// Audit-mode check never refuses, other namespaces' clients are invisible, callers without a workload certificate
// are refused, and a caller guessing keys is cut off. Keys never reach the logs.
import { Metadata, status as GrpcStatus } from '@grpc/grpc-js';
import type { ServiceError } from '@grpc/grpc-js';
import { expect } from 'chai';
import {
  API_KEY_CHECK_METADATA,
  API_KEY_CLIENT_HEADER,
  AUDIT_API_KEY_CHECK,
} from '../../src/api/contracts.js';
import { CheckRequest } from '../../src/gen/envoy/service/auth/v3/external_auth.js';
import type { CheckResponse } from '../../src/gen/envoy/service/auth/v3/external_auth.js';
import { AuthorizationClient } from '../../src/gen/envoy/service/auth/v3/external_auth.js';
import { snapshot } from '../fixtures/snapshot.js';
import type { LogLine } from '../serve/fixtures.js';
import { recordingLogger } from '../serve/fixtures.js';
import { anonymousCredentials, metricValue, realCa, testDataplane, workloadCredentials } from './fixtures.js';
import type { TestDataplane } from './fixtures.js';

const GOOD = 'k-3f9a8c1d2e7b4a6f';
const OTHER = 'k-other-partner-key';

function world(): ReturnType<typeof snapshot> {
  return snapshot()
    .policy('shop', 'p', {
      selector: {},
      apiKeys: {
        from: { header: 'X-Api-Key' },
        clients: [
          { name: 'partner-a', secretRef: { name: 'keys', key: 'a' } },
          { name: 'partner-b', secretRef: { name: 'keys', key: 'b' } },
          { name: 'missing', secretRef: { name: 'absent', key: 'x' } },
        ],
      },
    })
    .secret('shop', 'keys', { a: `${GOOD}\n`, b: OTHER })
    .policy('bank', 'q', {
      selector: {},
      apiKeys: {
        from: { query: 'api_key' },
        clients: [{ name: 'teller', secretRef: { name: 'k', key: 'k' } }],
      },
    })
    .secret('bank', 'k', { k: 'bank-secret-key' });
}

const NAME = { 'grpc.ssl_target_name_override': 'aspen-dataplane' };
const SHOP_CLIENTS = 'shop/p/missing,shop/p/partner-a,shop/p/partner-b';

function request(headers: Record<string, string>, path = '/orders'): CheckRequest {
  return CheckRequest.fromPartial({
    attributes: { request: { http: { method: 'GET', path, headers: { ':path': path, ...headers } } } },
  });
}

function metadata(clients: string, source: string, mode?: string): Metadata {
  const md = new Metadata();
  md.set(API_KEY_CHECK_METADATA.clients, clients);
  md.set(API_KEY_CHECK_METADATA.source, source);
  if (mode !== undefined) md.set(API_KEY_CHECK_METADATA.mode, mode);
  return md;
}

function call(client: AuthorizationClient, req: CheckRequest, md: Metadata): Promise<CheckResponse> {
  return new Promise((resolve, reject) => {
    client.check(req, md, (error: ServiceError | null, response: CheckResponse) =>
      error === null ? resolve(response) : reject(error),
    );
  });
}

/** `ok <headers>` or `denied <http status>`. */
function summary(response: CheckResponse): string {
  const http = response.httpResponse;
  if (http?.$case === 'okResponse') {
    const headers = http.value.headers.map((h) => `${h.header?.key}=${h.header?.value}`).join(' ');
    expect(http.value.responseHeadersToAdd).to.deep.equal([]);
    expect(http.value.queryParametersToSet).to.deep.equal([]);
    return `ok${headers === '' ? '' : ` ${headers}`}`;
  }
  if (http?.$case === 'deniedResponse') return `denied ${http.value.status?.code}`;
  return 'other';
}

describe('dataplane: API-key check (ext_authz over mTLS)', () => {
  let dp: TestDataplane;
  const lines: LogLine[] = [];

  beforeEach(async () => {
    lines.length = 0;
    dp = await testDataplane({ logger: recordingLogger(lines) });
    dp.load(world().build());
  });

  afterEach(async () => {
    await dp.close();
  });

  it('answers a known key with its client name, no key with nothing, any other key with 403', async () => {
    const { auth } = await dp.as('shop');
    const md = metadata(SHOP_CLIENTS, 'header:x-api-key');
    expect(summary(await call(auth, request({ 'x-api-key': GOOD }), md))).to.equal(
      `ok ${API_KEY_CLIENT_HEADER}=partner-a`,
    );
    expect(summary(await call(auth, request({ 'x-api-key': OTHER }), md))).to.equal(
      `ok ${API_KEY_CLIENT_HEADER}=partner-b`,
    );
    expect(summary(await call(auth, request({}), md))).to.equal('ok');
    expect(summary(await call(auth, request({ 'x-api-key': 'guess' }), md))).to.equal('denied 403');
    expect(summary(await call(auth, request({ 'x-api-key': `${GOOD}x` }), md))).to.equal('denied 403');
  });

  it('only listed clients count: a key of a client the port does not list is refused', async () => {
    const { auth } = await dp.as('shop');
    const md = metadata('shop/p/partner-b', 'header:x-api-key');
    expect(summary(await call(auth, request({ 'x-api-key': GOOD }), md))).to.equal('denied 403');
  });

  it("never matches another namespace's clients, even when the caller lists them", async () => {
    const { auth } = await dp.as('shop');
    const md = metadata('bank/q/teller', 'query:api_key');
    expect(summary(await call(auth, request({}, '/x?api_key=bank-secret-key'), md))).to.equal('denied 403');
    const bank = await dp.as('bank');
    expect(summary(await call(bank.auth, request({}, '/x?api_key=bank-secret-key'), md))).to.equal(
      `ok ${API_KEY_CLIENT_HEADER}=teller`,
    );
  });

  it('Audit mode always answers OK and sets only the audit headers', async () => {
    const { auth } = await dp.as('shop');
    const md = metadata(SHOP_CLIENTS, 'header:x-api-key', AUDIT_API_KEY_CHECK.mode);
    expect(summary(await call(auth, request({ 'x-api-key': GOOD }), md))).to.equal(
      `ok ${AUDIT_API_KEY_CHECK.clientHeader}=partner-a`,
    );
    expect(summary(await call(auth, request({ 'x-api-key': 'nope' }), md))).to.equal(
      `ok ${AUDIT_API_KEY_CHECK.deniedHeader}=${AUDIT_API_KEY_CHECK.unknownKey}`,
    );
    expect(summary(await call(auth, request({}), md))).to.equal('ok');
    expect(
      await metricValue(dp.registry, 'aspen_dataplane_api_key_checks_total', { mode: 'audit' }),
    ).to.equal(1);
  });

  it('refuses callers without a client certificate (UNAUTHENTICATED) and with a certificate of another CA', async () => {
    const anonymous = new AuthorizationClient(
      `127.0.0.1:${dp.dataplane.port}`,
      anonymousCredentials(dp.ca),
      NAME,
    );
    try {
      const error = await call(
        anonymous,
        request({ 'x-api-key': GOOD }),
        metadata(SHOP_CLIENTS, 'header:x-api-key'),
      ).then(
        () => undefined,
        (e: ServiceError) => e,
      );
      expect(error?.code).to.be.oneOf([GrpcStatus.UNAUTHENTICATED, GrpcStatus.UNAVAILABLE]);
    } finally {
      anonymous.close();
    }
    const foreignCa = await realCa();
    const stranger = new AuthorizationClient(
      `127.0.0.1:${dp.dataplane.port}`,
      await workloadCredentials(foreignCa, { namespace: 'shop', serviceAccount: 'default' }, dp.ca),
      NAME,
    );
    try {
      const error = await call(stranger, request({}), metadata(SHOP_CLIENTS, 'header:x-api-key')).then(
        () => undefined,
        (e: ServiceError) => e,
      );
      expect(error?.code).to.be.oneOf([GrpcStatus.UNAUTHENTICATED, GrpcStatus.UNAVAILABLE]);
    } finally {
      stranger.close();
    }
  });

  it('cuts off a caller that guesses keys: once its failure budget is spent even a valid key is refused', async () => {
    const { auth } = await dp.as('shop');
    const md = metadata(SHOP_CLIENTS, 'header:x-api-key');
    for (let i = 0; i < 100; i++) {
      expect(summary(await call(auth, request({ 'x-api-key': `guess-${i}` }), md))).to.equal('denied 403');
    }
    expect(summary(await call(auth, request({ 'x-api-key': GOOD }), md))).to.equal('denied 403');
    expect(summary(await call(auth, request({}), md))).to.equal('ok');
    const other = await dp.as('shop', 'other-sa');
    expect(summary(await call(other.auth, request({ 'x-api-key': GOOD }), md))).to.equal(
      `ok ${API_KEY_CLIENT_HEADER}=partner-a`,
    );
    dp.clock.advance(1000);
    expect(summary(await call(auth, request({ 'x-api-key': GOOD }), md))).to.equal(
      `ok ${API_KEY_CLIENT_HEADER}=partner-a`,
    );
    expect(await metricValue(dp.registry, 'aspen_dataplane_api_key_caller_limited_total')).to.equal(1);
  });

  it('refuses malformed metadata with INVALID_ARGUMENT', async () => {
    const { auth } = await dp.as('shop');
    const error = await call(auth, request({}), metadata(SHOP_CLIENTS, 'cookie:x')).then(
      () => undefined,
      (e: ServiceError) => e,
    );
    expect(error?.code).to.equal(GrpcStatus.INVALID_ARGUMENT);
  });

  it('never logs a key, presented or stored', async () => {
    const { auth } = await dp.as('shop');
    const md = metadata(SHOP_CLIENTS, 'header:x-api-key');
    await call(auth, request({ 'x-api-key': GOOD }), md);
    await call(auth, request({ 'x-api-key': 'wrong-key-value' }), md);
    const text = JSON.stringify(lines);
    expect(lines.length).to.be.greaterThan(0);
    for (const secret of [GOOD, OTHER, 'wrong-key-value', 'bank-secret-key'])
      expect(text).to.not.include(secret);
  });
});
