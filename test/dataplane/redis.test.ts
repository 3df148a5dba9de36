// The Redis backend against a real redis-server (Debian's, started on a free loopback port): counters shared by two
// dataplane instances, exact admissions under concurrency, AUTH, and an outage handled as each limit's failure mode
// says. The clock is injected (the script takes the time from the caller), so counts are exact.
import { status as GrpcStatus } from '@grpc/grpc-js';
import type { ServiceError } from '@grpc/grpc-js';
import { expect } from 'chai';
import { RedisBackend } from '../../src/dataplane/ratelimit/redis.js';
import type { RateLimitResponse } from '../../src/gen/envoy/service/ratelimit/v3/rls.js';
import { recordingLogger } from '../serve/fixtures.js';
import { trustBundle } from '../../src/ca/state.js';
import { issueServingCert } from '../../src/xds/sds/serving.js';
import { silentLogger } from '../../src/xds/server/types.js';
import type { LogLine } from '../serve/fixtures.js';
import { realCa, TestClock, testDataplane } from './fixtures.js';
import type { TestDataplane } from './fixtures.js';
import { admitted, descriptor, limitsWorld, rlRequest, shouldRateLimit } from './rls-helpers.js';
import { startRedis } from './redis.js';
import type { TestRedis } from './redis.js';

const PASSWORD = 'redis-test-password-9d1c';

describe('dataplane: global rate limits with Redis', function () {
  this.timeout(60000);
  let redis: TestRedis;
  const running: TestDataplane[] = [];
  const lines: LogLine[] = [];

  before(async () => {
    redis = await startRedis({ password: PASSWORD });
  });

  after(async () => {
    await redis.stop();
  });

  afterEach(async () => {
    for (const dp of running.splice(0)) await dp.close();
    lines.length = 0;
  });

  async function instance(
    clock: TestClock,
    ca: Awaited<ReturnType<typeof realCa>>,
    password = PASSWORD,
    commandTimeoutMs = 2000,
  ): Promise<TestDataplane> {
    const logger = recordingLogger(lines);
    const backend = new RedisBackend(
      { host: '127.0.0.1', port: redis.port, password, keyPrefix: `t${clock.ms}:`, commandTimeoutMs },
      logger,
    );
    if (password === PASSWORD) await backend.ready();
    const dp = await testDataplane({ backend, clock, ca, logger });
    dp.load(limitsWorld().build());
    running.push(dp);
    return dp;
  }

  it('shares counters across two instances: exactly burst + requests, then requests per window', async () => {
    const clock = new TestClock(Date.UTC(2026, 10, 28, 1));
    const ca = await realCa();
    const [one, two] = [await instance(clock, ca), await instance(clock, ca)];
    const sidecars = [
      await one.as('shop', 'a'),
      await one.as('shop', 'b'),
      await two.as('shop', 'c'),
      await two.as('shop', 'd'),
    ];
    const burst = async (perSidecar: number): Promise<number> => {
      const calls = sidecars.flatMap((s) =>
        Array.from({ length: perSidecar }, () =>
          shouldRateLimit(s.rls, rlRequest(descriptor('shop/p/per-tenant', 'acme'))),
        ),
      );
      return (await Promise.all(calls)).filter(admitted).length;
    };
    expect(await burst(10)).to.equal(15);
    clock.advance(999);
    expect(await burst(5)).to.equal(0);
    clock.advance(1);
    expect(await burst(10)).to.equal(10);
    clock.advance(5000);
    expect(await burst(10)).to.equal(15);
  });

  it('when Redis hangs, an Open limit admits uncounted and a Closed one fails the call (UNAVAILABLE)', async () => {
    const clock = new TestClock(Date.UTC(2026, 10, 28, 2));
    const dp = await instance(clock, await realCa(), PASSWORD, 300);
    const { rls } = await dp.as('shop');
    expect(admitted(await shouldRateLimit(rls, rlRequest(descriptor('shop/p/per-tenant', 'x'))))).to.equal(
      true,
    );
    redis.pause();
    try {
      const closed = await shouldRateLimit(rls, rlRequest(descriptor('shop/p/per-tenant', 'x')));
      expect((closed as ServiceError).code).to.equal(GrpcStatus.UNAVAILABLE);
      const open = await shouldRateLimit(rls, rlRequest(descriptor('shop/p/shared')));
      expect(admitted(open)).to.equal(true);
      expect((open as RateLimitResponse).statuses[0]?.limitRemaining).to.equal(3);
    } finally {
      redis.resume();
    }
    expect(lines.some((l) => l.message.includes('fails closed'))).to.equal(true);
    expect(lines.some((l) => l.message.includes('fails open'))).to.equal(true);
  });

  it('with a wrong password nothing is counted, Closed limits fail closed, and the password is never logged', async () => {
    const clock = new TestClock(Date.UTC(2026, 10, 28, 3));
    const dp = await instance(clock, await realCa(), 'wrong-password-77');
    const { rls } = await dp.as('shop');
    const closed = await shouldRateLimit(rls, rlRequest(descriptor('shop/p/per-tenant', 'x')));
    expect((closed as ServiceError).code).to.equal(GrpcStatus.UNAVAILABLE);
    const text = JSON.stringify(lines);
    expect(text).to.not.include('wrong-password-77');
    expect(text).to.not.include(PASSWORD);
  });
});

describe('dataplane: global rate limits with Redis over TLS', function () {
  this.timeout(60000);

  it('counts over TLS (server verified against the CA, name localhost), with AUTH', async () => {
    const ca = await realCa();
    const serving = await issueServingCert(ca, { dnsNames: ['localhost'] }, () => new Date());
    if (!serving.ok) throw new Error(serving.error.message);
    const bundle = trustBundle(ca, () => new Date());
    const redis = await startRedis({
      password: PASSWORD,
      tls: { cert: serving.value.certificatePem, key: serving.value.privateKeyPem.reveal(), ca: bundle },
    });
    const backend = new RedisBackend(
      {
        host: '127.0.0.1',
        port: redis.port,
        password: PASSWORD,
        tls: { ca: bundle, servername: 'localhost' },
        commandTimeoutMs: 2000,
      },
      silentLogger,
    );
    try {
      await backend.ready();
      const spec = { requests: 2, intervalMs: 1000, burst: 1 };
      const results = [];
      for (let i = 0; i < 4; i++)
        results.push((await backend.take({ bucket: 'b', spec, hits: 1 }, 5000)).allowed);
      expect(results).to.deep.equal([true, true, true, false]);
    } finally {
      await backend.close();
      await redis.stop();
    }
  });

  it('refuses a Redis whose certificate the CA did not sign', async () => {
    const ca = await realCa();
    const other = await realCa();
    const serving = await issueServingCert(other, { dnsNames: ['localhost'] }, () => new Date());
    if (!serving.ok) throw new Error(serving.error.message);
    const redis = await startRedis({
      tls: {
        cert: serving.value.certificatePem,
        key: serving.value.privateKeyPem.reveal(),
        ca: trustBundle(other, () => new Date()),
      },
    });
    const backend = new RedisBackend(
      {
        host: '127.0.0.1',
        port: redis.port,
        tls: { ca: trustBundle(ca, () => new Date()), servername: 'localhost' },
      },
      silentLogger,
    );
    try {
      let error: unknown;
      await backend.ready(1500).catch((e: unknown) => (error = e));
      expect(error).to.be.instanceOf(Error);
      const taken = await backend
        .take({ bucket: 'b', spec: { requests: 1, intervalMs: 1000, burst: 0 }, hits: 1 }, 0)
        .then(
          () => 'taken',
          () => 'refused',
        );
      expect(taken).to.equal('refused');
    } finally {
      await backend.close();
      await redis.stop();
    }
  });
});
