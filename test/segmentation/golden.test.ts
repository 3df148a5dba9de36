/**
 * Golden tests of the segmentation NetworkPolicies: every test/golden/segmentation/<case>.in.yaml (Kubernetes YAML) is
 * loaded through the file provider and translated (trust domain `cluster.local`); <case>.out.yaml holds the generated
 * NetworkPolicies and every policy's Warnings condition (where segmentation unions are reported).
 * `UPDATE_GOLDEN=1` rewrites the outputs and deletes outputs without an input.
 */
import { expect } from 'chai';
import { existsSync, readFileSync, readdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { parseManifests } from '../../src/provider/file/manifests.js';
import { buildSnapshot } from '../../src/provider/file/snapshot.js';
import { segmentationNetworkPolicies } from '../../src/segmentation/network-policy.js';
import { translate } from '../../src/translate/translate.js';

/** test/golden/segmentation, from dist/test/segmentation where this file runs. */
const DIR = fileURLToPath(new URL('../../../test/golden/segmentation/', import.meta.url));
const UPDATE = process.env.UPDATE_GOLDEN === '1';

function cases(): string[] {
  return readdirSync(DIR)
    .filter((f) => f.endsWith('.in.yaml'))
    .map((f) => f.slice(0, -'.in.yaml'.length))
    .sort();
}

function orphans(): string[] {
  const inputs = new Set(cases());
  return readdirSync(DIR).filter(
    (f) => f.endsWith('.out.yaml') && !inputs.has(f.slice(0, -'.out.yaml'.length)),
  );
}

function render(name: string): string {
  const file = `test/golden/segmentation/${name}.in.yaml`;
  const parsed = parseManifests(readFileSync(join(DIR, `${name}.in.yaml`), 'utf8'), file);
  expect(parsed.errors, 'YAML errors').to.deep.equal([]);
  const { snapshot, problems } = buildSnapshot(parsed.manifests, { defaultNamespace: 'default' });
  expect(problems, 'snapshot problems').to.deep.equal([]);
  const { policies, statuses } = translate(snapshot, { trustDomain: 'cluster.local' });
  const warnings = statuses.map((s) => ({
    policy: `${s.namespace}/${s.name}`,
    warnings: s.conditions.find((c) => c.type === 'Warnings') ?? null,
  }));
  const yaml = stringify(
    { networkPolicies: segmentationNetworkPolicies(policies), warnings },
    { sortMapEntries: true, aliasDuplicateObjects: false, lineWidth: 0 },
  );
  return `# Generated from ${name}.in.yaml by test/segmentation/golden.test.ts; UPDATE_GOLDEN=1 rewrites it.\n${yaml}`;
}

describe('segmentation golden files (test/golden/segmentation)', () => {
  if (UPDATE) for (const orphan of orphans()) unlinkSync(join(DIR, orphan));

  it('has an input for every output', () => {
    expect(orphans()).to.deep.equal([]);
  });

  for (const name of cases()) {
    it(name, () => {
      const actual = render(name);
      const outFile = join(DIR, `${name}.out.yaml`);
      if (UPDATE) writeFileSync(outFile, actual);
      expect(existsSync(outFile), `${name}.out.yaml is missing; run with UPDATE_GOLDEN=1`).to.equal(true);
      expect(actual).to.equal(readFileSync(outFile, 'utf8'));
    });
  }
});
