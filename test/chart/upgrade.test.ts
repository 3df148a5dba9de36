/**
 * `helm upgrade` from the previous chart version (kept packaged in test/fixtures/chart/previous/) renders cleanly:
 * the current chart accepts the previous version's values (as `helm upgrade --reuse-values` passes them) and keeps
 * every immutable field the API server would refuse to change (Deployment selectors, Service types). The e2e suite
 * runs the real install-then-upgrade against an API server.
 */
import { expect } from 'chai';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import {
  helmTemplate,
  helmTemplateRaw,
  k8sCli,
  repoRoot,
  run,
  type K8sObject,
} from '../../scripts/k8s/chart.js';

const dir = path.join(repoRoot(), 'test', 'fixtures', 'chart', 'previous');
const previousChart = (): string => {
  const tgz = readdirSync(dir).filter((f) => /^aspen-.*\.tgz$/.test(f));
  expect(tgz, `exactly one packaged previous chart in ${dir}`).to.have.length(1);
  return path.join(dir, tgz[0] ?? '');
};

/** Chart version as comparable numbers. */
const versionOf = (text: string): number[] =>
  ((parse(text) as { version: string }).version.split(/[.-]/).slice(0, 3) ?? []).map(Number);

/** `Kind/name` → object. */
const byId = (objects: K8sObject[]): Map<string, K8sObject> =>
  new Map(objects.map((o) => [`${o.kind}/${o.metadata.name}`, o]));

describe('chart: helm upgrade from the previous chart version', function () {
  this.timeout(120_000);
  let previous: Map<string, K8sObject>;
  let current: Map<string, K8sObject>;

  before(async () => {
    previous = byId(await helmTemplate({ chart: previousChart() }));
    current = byId(await helmTemplate());
  });

  it('is not a downgrade', async () => {
    const { helm } = await k8sCli();
    const prev = versionOf((await run(helm, ['show', 'chart', previousChart()])).stdout);
    const cur = versionOf(
      (await run(helm, ['show', 'chart', path.join(repoRoot(), 'charts', 'aspen')])).stdout,
    );
    const cmp = prev.map((p, i) => (cur[i] ?? 0) - p).find((d) => d !== 0) ?? 0;
    expect(cmp, `current ${cur.join('.')} vs previous ${prev.join('.')}`).to.be.at.least(0);
  });

  it('accepts the previous version’s values (helm upgrade --reuse-values)', async () => {
    const { helm } = await k8sCli();
    const values = parse((await run(helm, ['show', 'values', previousChart()])).stdout) as Record<
      string,
      unknown
    >;
    const result = await helmTemplateRaw({ values });
    expect(result.code, result.stderr).to.equal(0);
  });

  it('keeps Deployment selectors, which the API server refuses to change', () => {
    for (const [id, prev] of previous) {
      const cur = current.get(id);
      if (prev.kind !== 'Deployment' || cur === undefined) continue;
      expect((cur.spec as { selector: unknown }).selector, id).to.deep.equal(
        (prev.spec as { selector: unknown }).selector,
      );
    }
  });

  it('keeps Service types and PodDisruptionBudget selectors', () => {
    for (const [id, prev] of previous) {
      const cur = current.get(id);
      if (cur === undefined) continue;
      if (prev.kind === 'Service')
        expect((cur.spec as { type: string }).type, id).to.equal((prev.spec as { type: string }).type);
      if (prev.kind === 'PodDisruptionBudget')
        expect(cur.spec, id).to.have.deep.property('selector', (prev.spec as { selector: unknown }).selector);
    }
  });
});
