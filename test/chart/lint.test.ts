/** `helm lint --strict` with the default values and every non-default values file of test/fixtures/chart/values/. */
import { expect } from 'chai';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { chartDir, k8sCli, repoRoot, run } from '../../scripts/k8s/chart.js';

const valuesDir = path.join(repoRoot(), 'test', 'fixtures', 'chart', 'values');
const valueFiles = readdirSync(valuesDir)
  .filter((f) => f.endsWith('.yaml'))
  .sort();

describe('chart: helm lint --strict', function () {
  this.timeout(120_000);

  it('passes with the default values', async () => {
    const { helm } = await k8sCli();
    const result = await run(helm, ['lint', '--strict', chartDir()]);
    expect(result.code, result.stdout + result.stderr).to.equal(0);
  });

  for (const file of valueFiles) {
    it(`passes with ${file}`, async () => {
      const { helm } = await k8sCli();
      const result = await run(helm, [
        'lint',
        '--strict',
        chartDir(),
        '--values',
        path.join(valuesDir, file),
      ]);
      expect(result.code, result.stdout + result.stderr).to.equal(0);
    });
  }
});
