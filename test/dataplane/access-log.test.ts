// The access-log service with a real gRPC client streaming entries as a sidecar would: one audit line per entry with
// the decision, policy and rule; credentials and redacted headers never logged; metrics by workload, policy, rule
// and reason; `logging.accessLog: false` keeping only denials and would-denials.
import type { ServiceError } from '@grpc/grpc-js';
import { expect } from 'chai';
import {
  ACCESS_LOG_CONTRACT,
  API_KEY_CLIENT_HEADER,
  AUDIT_API_KEY_CHECK,
  rbacResultKey,
  rbacRuleKey,
} from '../../src/api/contracts.js';
import { RequestMethod } from '../../src/gen/envoy/config/core/v3/base.js';
import { HTTPAccessLogEntry } from '../../src/gen/envoy/data/accesslog/v3/accesslog.js';
import type { DeepPartial } from '../../src/gen/envoy/data/accesslog/v3/accesslog.js';
import { StreamAccessLogsMessage } from '../../src/gen/envoy/service/accesslog/v3/als.js';
import { snapshot } from '../fixtures/snapshot.js';
import { recordingLogger } from '../serve/fixtures.js';
import type { LogLine } from '../serve/fixtures.js';
import { metricValue, testDataplane } from './fixtures.js';
import type { Clients, TestDataplane } from './fixtures.js';

const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.secret-token.sig';
const KEY = 'k-live-0123456789';

function world(accessLog: boolean): ReturnType<typeof snapshot> {
  return snapshot().policy('shop', 'p', {
    selector: {},
    logging: { accessLog, redactHeaders: ['X-Tenant'] },
  });
}

type EntryInit = DeepPartial<HTTPAccessLogEntry>;

function rbacMetadata(fields: Record<string, string>): EntryInit['commonProperties'] {
  return { metadata: { filterMetadata: { [ACCESS_LOG_CONTRACT.rbacNamespace]: fields } } };
}

/** An entry for GET /orders?api_key=… from a mesh peer, with a verified JWT. */
function entry(extra: EntryInit = {}, status = 200): HTTPAccessLogEntry {
  return HTTPAccessLogEntry.fromPartial({
    ...extra,
    commonProperties: {
      startTime: new Date('2026-11-28T10:00:00.000Z'),
      duration: { seconds: 0, nanos: 12_000_000 },
      downstreamRemoteAddress: {
        address: {
          $case: 'socketAddress',
          value: { address: '10.0.0.7', portSpecifier: { $case: 'portValue', value: 4242 } },
        },
      },
      tlsProperties: {
        peerCertificateProperties: {
          subjectAltName: [{ san: { $case: 'uri', value: 'spiffe://cluster.local/ns/web/sa/frontend' } }],
        },
      },
      ...extra.commonProperties,
      metadata: {
        filterMetadata: {
          [ACCESS_LOG_CONTRACT.jwtNamespace]: {
            [ACCESS_LOG_CONTRACT.jwtPayloadKey]: {
              sub: 'alice',
              iss: 'https://id.example.com',
              token: TOKEN,
            },
          },
          ...extra.commonProperties?.metadata?.filterMetadata,
        },
      },
    },
    request: {
      requestMethod: RequestMethod.GET,
      path: `/orders?api_key=${KEY}`,
      authority: 'orders.shop',
      requestHeaders: {
        [API_KEY_CLIENT_HEADER]: 'partner-a',
        'x-tenant': 'acme',
        authorization: `Bearer ${TOKEN}`,
      },
      ...extra.request,
    },
    response: { responseCode: status, ...extra.response },
  });
}

function message(entries: HTTPAccessLogEntry[], first: boolean): StreamAccessLogsMessage {
  return StreamAccessLogsMessage.fromPartial({
    ...(first
      ? {
          identifier: {
            logName: ACCESS_LOG_CONTRACT.logName,
            node: { id: 'shop/orders-1', cluster: 'shop/orders' },
          },
        }
      : {}),
    logEntries: { $case: 'httpLogs', value: { logEntry: entries } },
  });
}

/** Streams the batches and waits for the server's answer. */
function stream(c: Clients, batches: HTTPAccessLogEntry[][]): Promise<void> {
  return new Promise((resolve, reject) => {
    const call = c.als.streamAccessLogs((error: ServiceError | null) =>
      error === null ? resolve() : reject(error),
    );
    batches.forEach((batch, i) => call.write(message(batch, i === 0)));
    call.end();
  });
}

const DENIED = ACCESS_LOG_CONTRACT.denied;

function cases(): HTTPAccessLogEntry[] {
  return [
    entry({
      commonProperties: rbacMetadata({
        [rbacResultKey('allow')]: 'allowed',
        [rbacRuleKey('allow')]: 'shop/p/reads',
      }),
    }),
    entry(
      {
        commonProperties: rbacMetadata({
          [rbacResultKey('deny')]: DENIED,
          [rbacRuleKey('deny')]: 'shop/p/no-admin',
        }),
      },
      403,
    ),
    entry(
      {
        commonProperties: {
          responseFlags: { rateLimited: true },
          metadata: {
            filterMetadata: {
              [ACCESS_LOG_CONTRACT.rateLimitNamespace]: { policy: 'shop/p', rule: 'shop/p/per-tenant' },
            },
          },
        },
      },
      429,
    ),
    entry({ commonProperties: { responseFlags: { unauthorizedDetails: { reason: 1 } } } }, 403),
    entry({
      commonProperties: rbacMetadata({
        [rbacResultKey('auditDeny')]: DENIED,
        [rbacRuleKey('auditDeny')]: 'shop/p/would-block',
      }),
    }),
    entry({
      request: { requestHeaders: { [AUDIT_API_KEY_CHECK.deniedHeader]: AUDIT_API_KEY_CHECK.unknownKey } },
    }),
  ];
}

describe('dataplane: access-log service (ALS over mTLS)', () => {
  let dp: TestDataplane;
  const audit: LogLine[] = [];

  async function start(accessLog: boolean): Promise<Clients> {
    audit.length = 0;
    dp = await testDataplane({ audit: recordingLogger(audit) });
    dp.load(world(accessLog).build());
    return dp.as('shop', 'orders');
  }

  afterEach(async () => {
    await dp.close();
  });

  it('writes one record per entry with who, what, the decision, policy, rule and latency', async () => {
    const c = await start(true);
    await stream(c, [cases().slice(0, 3), cases().slice(3)]);
    expect(
      audit.map((l) => [l.fields['decision'], l.fields['reason'] ?? '', l.fields['rule'] ?? '']),
    ).to.deep.equal([
      ['allow', '', 'shop/p/reads'],
      ['deny', 'rbac-deny', 'shop/p/no-admin'],
      ['rate-limited', 'rate-limit', 'shop/p/per-tenant'],
      ['deny', 'api-key', ''],
      ['audit-would-deny', 'audit-rbac-deny', 'shop/p/would-block'],
      ['audit-would-deny', 'audit-api-key', ''],
    ]);
    expect(audit[1]).to.deep.equal({
      level: 'info',
      message: 'request',
      fields: {
        start_time: '2026-11-28T10:00:00.000Z',
        workload: 'shop/orders',
        reporter: 'spiffe://cluster.local/ns/shop/sa/orders',
        source_identity: 'spiffe://cluster.local/ns/web/sa/frontend',
        source_address: '10.0.0.7',
        jwt_subject: 'alice',
        jwt_issuer: 'https://id.example.com',
        api_key_client: 'partner-a',
        method: 'GET',
        path: '/orders',
        status: 403,
        decision: 'deny',
        reason: 'rbac-deny',
        policy: 'shop/p',
        rule: 'shop/p/no-admin',
        latency_ms: 12,
      },
    });
  });

  it('never logs credentials, query strings or redacted headers', async () => {
    const c = await start(true);
    await stream(c, [cases()]);
    const text = JSON.stringify(audit);
    for (const secret of [TOKEN, KEY, 'api_key=', 'acme', 'Bearer']) expect(text).to.not.include(secret);
  });

  it('counts requests and denials by workload, policy, rule and reason', async () => {
    const c = await start(true);
    await stream(c, [cases(), cases()]);
    const r = dp.registry;
    expect(
      await metricValue(r, 'aspen_requests_total', { workload: 'shop/orders', decision: 'allow' }),
    ).to.equal(2);
    expect(
      await metricValue(r, 'aspen_denials_total', {
        policy: 'shop/p',
        rule: 'shop/p/no-admin',
        reason: 'rbac-deny',
      }),
    ).to.equal(2);
    expect(
      await metricValue(r, 'aspen_denials_total', { rule: 'shop/p/per-tenant', reason: 'rate-limit' }),
    ).to.equal(2);
    expect(await metricValue(r, 'aspen_denials_total', { reason: 'audit-api-key' })).to.equal(2);
  });

  it('with logging.accessLog false records only denials and would-denials (metrics still count everything)', async () => {
    const c = await start(false);
    await stream(c, [cases()]);
    expect(audit.map((l) => l.fields['decision'])).to.deep.equal([
      'deny',
      'rate-limited',
      'deny',
      'audit-would-deny',
      'audit-would-deny',
    ]);
    expect(await metricValue(dp.registry, 'aspen_requests_total', { decision: 'allow' })).to.equal(1);
  });

  it('a failed rate-limit call is a denial only when it refused the request (Closed limits answer 500)', async () => {
    const c = await start(true);
    const failed = (status: number): HTTPAccessLogEntry =>
      entry({ commonProperties: { responseFlags: { rateLimitServiceError: true } } }, status);
    await stream(c, [[failed(500), failed(200)]]);
    expect(audit.map((l) => [l.fields['decision'], l.fields['reason']])).to.deep.equal([
      ['deny', 'rate-limit-service-error'],
      ['allow', undefined],
    ]);
  });

  it("names a workload outside the caller's namespace as unknown", async () => {
    audit.length = 0;
    dp = await testDataplane({ audit: recordingLogger(audit) });
    dp.load(world(true).build());
    const c = await dp.as('web');
    await stream(c, [[cases()[0] as HTTPAccessLogEntry]]);
    expect(audit[0]?.fields['workload']).to.equal('web/unknown');
  });
});
