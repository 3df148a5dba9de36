// ADR 0033: the runner rebuilds incrementally. Only proxies whose IR changed go through the Envoy stage; statuses and
// served snapshots are those of a full rebuild; any failure makes the next rebuild a full one.
import { expect } from 'chai';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ProxyStages } from '../../src/serve/build.js';
import { defaultStages } from '../../src/serve/build.js';
import type { SnapshotCache } from '../../src/xds/cache/cache.js';
import { changeAndRebuild, copyExamples, removeDir, testRunner, versions } from './fixtures.js';
import type { TestRunner } from './fixtures.js';

const ALL = ['shop/frontend', 'shop/orders', 'shop/payments'];

/** Stages that record which proxies went through the Envoy stage, and can be made to fail or throw. */
class CountingStages implements ProxyStages {
  translated: string[] = [];
  failing: string | undefined;
  throwing = false;
  private current = '';

  readonly translateProxy: ProxyStages['translateProxy'] = (proxy, config) => {
    if (this.throwing) throw new Error('made up: stage bug');
    this.current = proxy.key;
    this.translated.push(proxy.key);
    return defaultStages.translateProxy(proxy, config);
  };

  readonly check: ProxyStages['check'] = (resources) =>
    this.current === this.failing
      ? ['Listener inbound: made up: test failure']
      : defaultStages.check(resources);

  /** The proxies translated since the last call, sorted. */
  take(): string[] {
    const out = [...this.translated].sort();
    this.translated = [];
    return out;
  }
}

/** Per proxy and type: version, names and bytes of every resource served. */
function served(cache: SnapshotCache): Record<string, Record<string, string[]>> {
  const out: Record<string, Record<string, string[]>> = {};
  for (const key of cache.proxyKeys()) {
    const types = [...(cache.getSnapshot(key)?.types.values() ?? [])];
    out[key] = Object.fromEntries(
      types.map((t) => [
        t.typeUrl,
        [t.version, ...t.resources.map((r) => `${r.name}=${Buffer.from(r.encoded.value).toString('hex')}`)],
      ]),
    );
  }
  return out;
}

async function edit(dir: string, file: string, from: string, to: string): Promise<void> {
  const path = join(dir, file);
  const text = await readFile(path, 'utf8');
  expect(text).to.include(from);
  await writeFile(path, text.replace(from, to));
}

describe('serve pipeline runner: incremental rebuilds (ADR 0033)', () => {
  let dir: string;
  let t: TestRunner;
  let stages: CountingStages;

  beforeEach(async () => {
    dir = await copyExamples();
    stages = new CountingStages();
    t = testRunner(dir, { stages });
    await t.runner.start();
  });

  afterEach(async () => {
    t.runner.stop();
    await removeDir(dir);
  });

  it('builds every proxy first, then only those whose IR changed, and none when nothing did', async () => {
    expect(stages.take()).to.deep.equal(ALL);
    await edit(dir, 'policies/orders-api.yaml', 'paths: [/admin, /admin/*]', 'paths: [/root, /root/*]');
    await changeAndRebuild(t);
    expect(stages.take()).to.deep.equal(['shop/orders']);
    const before = versions(t.cache);
    await changeAndRebuild(t);
    expect(stages.take()).to.deep.equal([]);
    expect(versions(t.cache)).to.deep.equal(before);
    expect(t.runner.lastBuild).to.include({ ok: true, outcome: 'ok', proxies: 3 });
    expect(t.reports.at(-1)?.translation?.proxies.map((p) => p.key)).to.deep.equal(ALL);
  });

  it('serves and reports what a full rebuild from scratch serves and reports, after a series of edits', async () => {
    await edit(dir, 'policies/orders-api.yaml', 'paths: [/admin, /admin/*]', 'paths: [/root, /root/*]');
    await changeAndRebuild(t);
    await rm(join(dir, 'policies/frontend.yaml'));
    await changeAndRebuild(t);
    await edit(dir, 'policies/payments.yaml', 'kind: ApiSecurityPolicy', 'kind: ApiSecurityPolicy # edited');
    await changeAndRebuild(t);
    const fresh = testRunner(dir);
    try {
      await fresh.runner.start();
      expect(served(t.cache)).to.deep.equal(served(fresh.cache));
      const mine = t.reports.at(-1)?.translation;
      const theirs = fresh.reports.at(-1)?.translation;
      expect(mine?.statuses).to.deep.equal(theirs?.statuses);
      expect(mine?.proxies).to.deep.equal(theirs?.proxies);
      expect(mine?.policies).to.deep.equal(theirs?.policies);
    } finally {
      fresh.runner.stop();
    }
  });

  it('after a proxy fails its check, the next rebuild builds every proxy again', async () => {
    stages.take();
    stages.failing = 'shop/orders';
    await edit(dir, 'policies/orders-api.yaml', 'paths: [/admin, /admin/*]', 'paths: [/root, /root/*]');
    await changeAndRebuild(t);
    expect(stages.take()).to.deep.equal(['shop/orders']);
    expect(t.runner.lastBuild).to.include({ ok: false, outcome: 'check_error', proxies: 3 });
    stages.failing = undefined;
    await changeAndRebuild(t);
    expect(stages.take()).to.deep.equal(ALL);
    expect(t.runner.lastBuild).to.include({ ok: true });
    await changeAndRebuild(t);
    expect(stages.take()).to.deep.equal([]);
  });

  it('after an internal error, the next rebuild translates from scratch and builds every proxy', async () => {
    stages.take();
    stages.throwing = true;
    await edit(dir, 'policies/orders-api.yaml', 'paths: [/admin, /admin/*]', 'paths: [/root, /root/*]');
    await changeAndRebuild(t);
    expect(t.runner.lastBuild).to.include({ ok: false, outcome: 'internal_error' });
    stages.throwing = false;
    await changeAndRebuild(t);
    expect(stages.take()).to.deep.equal(ALL);
    expect(t.runner.lastBuild).to.include({ ok: true });
  });
});
