import { expect } from 'chai';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { defaultStages } from '../../src/serve/build.js';
import { CDS, LDS, changeAndRebuild, copyExamples, removeDir, testRunner, versions } from './fixtures.js';
import type { TestRunner } from './fixtures.js';

const EXAMPLE_PROXIES = ['shop/frontend', 'shop/orders', 'shop/payments'];

/** The proxy keys whose served versions differ between two `versions()` readings. */
function changedProxies(
  before: Record<string, Record<string, string>>,
  after: Record<string, Record<string, string>>,
): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k])).sort();
}

const BATCH = `apiVersion: apps/v1
kind: Deployment
metadata: { name: batch, namespace: shop }
spec:
  selector: { matchLabels: { app: batch } }
  template:
    metadata: { labels: { app: batch } }
    spec:
      serviceAccountName: batch
      containers: [{ name: job, image: ghcr.io/example/batch:1 }]
`;

describe('serve pipeline runner', () => {
  let dir: string;
  let t: TestRunner;

  beforeEach(async () => {
    dir = await copyExamples();
    t = testRunner(dir);
    await t.runner.start();
  });

  afterEach(async () => {
    t.runner.stop();
    await removeDir(dir);
  });

  it('publishes a checked snapshot for every workload of examples/ and becomes ready', () => {
    expect(t.runner.ready).to.equal(true);
    expect(t.runner.lastBuild).to.include({ ok: true, outcome: 'ok', proxies: 3 });
    expect(t.cache.proxyKeys()).to.deep.equal(EXAMPLE_PROXIES);
    for (const key of EXAMPLE_PROXIES) {
      const snapshot = t.cache.getSnapshot(key);
      expect(snapshot?.types.get(LDS)?.resources.length, key).to.be.greaterThan(0);
      expect(snapshot?.types.get(CDS)?.resources.length, key).to.be.greaterThan(0);
    }
  });

  it('a changed policy file gives a new version to the affected proxy only', async () => {
    const before = versions(t.cache);
    const file = join(dir, 'policies/orders-api.yaml');
    const text = await readFile(file, 'utf8');
    await writeFile(file, text.replace('paths: [/admin, /admin/*]', 'paths: [/root, /root/*]'));
    await changeAndRebuild(t);
    expect(changedProxies(before, versions(t.cache))).to.deep.equal(['shop/orders']);
    expect(t.reports.at(-1)?.changed.every((c) => c.proxyKey === 'shop/orders')).to.equal(true);
  });

  it('a new file adds its workload and leaves the others as they were', async () => {
    const before = versions(t.cache);
    await writeFile(join(dir, 'shop/batch.yaml'), BATCH);
    await changeAndRebuild(t);
    expect(changedProxies(before, versions(t.cache))).to.deep.equal(['shop/batch']);
    expect(t.cache.proxyKeys()).to.include('shop/batch');
  });

  it('a deleted file gives a new version to the affected proxy only, and removes a deleted workload', async () => {
    await writeFile(join(dir, 'shop/batch.yaml'), BATCH);
    await changeAndRebuild(t);
    const before = versions(t.cache);
    await rm(join(dir, 'policies/frontend.yaml'));
    await changeAndRebuild(t);
    expect(changedProxies(before, versions(t.cache))).to.deep.equal(['shop/frontend']);
    await rm(join(dir, 'shop/batch.yaml'));
    await changeAndRebuild(t);
    expect(t.cache.proxyKeys()).to.deep.equal(EXAMPLE_PROXIES);
    expect(t.reports.at(-1)?.removed).to.deep.equal(['shop/batch']);
  });

  it('a YAML syntax error keeps the last good build entirely and is reported', async () => {
    const before = versions(t.cache);
    const file = join(dir, 'policies/orders-api.yaml');
    const text = await readFile(file, 'utf8');
    await writeFile(
      file,
      text
        .replace('paths: [/admin, /admin/*]', 'paths: [/root, /root/*')
        .replace('mode: Enforce', 'mode: [Enforce'),
    );
    await changeAndRebuild(t);
    expect(versions(t.cache)).to.deep.equal(before);
    const last = t.runner.lastBuild;
    expect(last).to.include({ ok: false, outcome: 'load_error' });
    expect(last?.problems.join('\n')).to.match(/orders-api\.yaml:\d+: /);
    expect(t.logs.some((l) => l.level === 'warn' && /previous build stays served/.test(l.message))).to.equal(
      true,
    );
    expect(t.runner.ready).to.equal(true);
    await writeFile(file, text);
    await changeAndRebuild(t);
    expect(t.runner.lastBuild).to.include({ ok: true });
  });

  it('an invalid edit of a valid policy is refused: its last valid version stays in force, logged once', async () => {
    const before = versions(t.cache);
    const file = join(dir, 'policies/payments.yaml');
    const text = await readFile(file, 'utf8');
    await writeFile(file, text.replace('requests: 50', 'requests: -5'));
    await changeAndRebuild(t);
    expect(t.runner.lastBuild).to.include({ ok: true });
    expect(changedProxies(before, versions(t.cache))).to.deep.equal([]);
    const refused = (): number =>
      t.logs.filter(
        (l) => l.fields['policy'] === 'shop/payments' && l.message.startsWith('invalid edit refused'),
      ).length;
    expect(refused()).to.equal(1);
    await changeAndRebuild(t);
    expect(refused()).to.equal(1);
    await writeFile(file, text.replace('requests: 50', 'requests: 60'));
    await changeAndRebuild(t);
    expect(changedProxies(before, versions(t.cache))).to.deep.equal(['shop/payments']);
  });

  it('a policy that was never valid is not a load error: it is logged once and fails closed', async () => {
    const before = versions(t.cache);
    const bad = `apiVersion: aspen.dev/v1alpha1
kind: ApiSecurityPolicy
metadata: { name: batch-new, namespace: shop }
spec:
  selector: { matchLabels: { app: payments } }
  mtls: { mode: strict }
`;
    await writeFile(join(dir, 'policies/new.yaml'), bad);
    await changeAndRebuild(t);
    expect(t.runner.lastBuild).to.include({ ok: true });
    const warned = (): number =>
      t.logs.filter((l) => l.fields['policy'] === 'shop/batch-new' && l.fields['accepted'] === 'False')
        .length;
    expect(warned()).to.equal(1);
    expect(changedProxies(before, versions(t.cache))).to.deep.equal(['shop/payments']);
    await changeAndRebuild(t);
    expect(warned()).to.equal(1);
  });

  it('a burst of changes gives one rebuild', async () => {
    const builds = t.reports.length;
    for (let i = 0; i < 5; i++) {
      t.watcher.change();
      t.timers.advance(50);
    }
    t.timers.advance(200);
    await t.runner.settled();
    expect(t.reports.length).to.equal(builds + 1);
  });
});

describe('serve pipeline runner: overlapping changes', () => {
  it('a change during a rebuild gives exactly one more rebuild, never two at once', async () => {
    const dir = await copyExamples();
    const t = testRunner(dir);
    try {
      await t.runner.start();
      const builds = t.reports.length;
      t.watcher.change();
      t.timers.advance(200); // rebuild 1 starts (reading files)
      t.watcher.change();
      t.timers.advance(200); // fires while rebuild 1 runs: queued
      t.watcher.change();
      t.timers.advance(200); // coalesced with the queued one
      await t.runner.settled();
      expect(t.reports.length).to.equal(builds + 2);
    } finally {
      t.runner.stop();
      await removeDir(dir);
    }
  });
});

describe('serve pipeline runner: publishing gate', () => {
  it('a proxy whose resources fail the check keeps its previous snapshot; the others move on', async () => {
    const dir = await copyExamples();
    let failing: string | undefined;
    let current = '';
    const t = testRunner(dir, {
      stages: {
        translateProxy: (proxy, config) => {
          current = proxy.key;
          return defaultStages.translateProxy(proxy, config);
        },
        check: (resources) =>
          current === failing ? ['Listener inbound: made up: test failure'] : defaultStages.check(resources),
      },
    });
    try {
      await t.runner.start();
      const before = versions(t.cache);
      failing = 'shop/frontend';
      await rm(join(dir, 'policies/frontend.yaml'));
      await changeAndRebuild(t);
      expect(versions(t.cache)).to.deep.equal(before);
      expect(t.runner.lastBuild).to.include({ ok: false, outcome: 'check_error' });
      expect(t.runner.lastBuild?.problems).to.deep.equal([
        'shop/frontend: Listener inbound: made up: test failure',
      ]);
      failing = undefined;
      await changeAndRebuild(t);
      expect(t.runner.lastBuild).to.include({ ok: true });
      expect(versions(t.cache)['shop/frontend']).to.not.deep.equal(before['shop/frontend']);
      expect(t.logs.some((l) => l.level === 'error' && /aspen bug/.test(l.message))).to.equal(true);
    } finally {
      t.runner.stop();
      await removeDir(dir);
    }
  });
});
