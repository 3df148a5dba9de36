/** `npm run render:deploy`: copies crds/ into the chart and renders deploy/aspen.yaml (see scripts/k8s/deploy.ts). */
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { chartCrdDir, deployFile, renderDeploy, repoCrds } from './k8s/deploy.js';

const crds = await repoCrds();
await mkdir(chartCrdDir(), { recursive: true });
for (const name of await readdir(chartCrdDir())) {
  if (!crds.has(name)) await rm(path.join(chartCrdDir(), name));
}
for (const [name, text] of crds) await writeFile(path.join(chartCrdDir(), name), text);
await writeFile(deployFile(), await renderDeploy());
process.stdout.write(`wrote ${chartCrdDir()}/ and ${deployFile()}\n`);
