/** deploy/aspen.yaml and the chart's copy of the CRD are current: `npm run render:deploy` would change nothing. */
import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseObjects } from '../../scripts/k8s/chart.js';
import { chartCrdDir, deployFile, renderDeploy, repoCrds } from '../../scripts/k8s/deploy.js';
import { ids } from './objects.js';

describe('chart: generated files are current', function () {
  this.timeout(60_000);

  it('charts/aspen/crds/ holds exactly the files of crds/, byte for byte (run npm run render:deploy)', async () => {
    const crds = await repoCrds();
    expect(readdirSync(chartCrdDir()).sort()).to.deep.equal([...crds.keys()]);
    for (const [name, text] of crds) {
      expect(readFileSync(path.join(chartCrdDir(), name), 'utf8'), name).to.equal(text);
    }
  });

  it('deploy/aspen.yaml is the chart rendered with default values (run npm run render:deploy)', async () => {
    expect(readFileSync(deployFile(), 'utf8')).to.equal(await renderDeploy());
  });

  it('deploy/aspen.yaml starts with the namespace and the CRD, so one kubectl apply installs everything', () => {
    const objects = parseObjects(readFileSync(deployFile(), 'utf8'));
    expect(objects[0]?.kind).to.equal('Namespace');
    expect(objects[1]?.kind).to.equal('CustomResourceDefinition');
    expect(ids(objects)).to.include('Deployment/aspen');
  });
});
