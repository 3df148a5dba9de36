/**
 * Golden tests of the translator: every test/golden/translate/<case>.in.yaml (Kubernetes YAML) is loaded through the
 * file provider, translated with trust domain `cluster.local`, and compared with <case>.out.yaml (the proxies' IR and
 * the policies' statuses). `UPDATE_GOLDEN=1` rewrites the outputs and deletes outputs without an input.
 */
import { expect } from 'chai';
import { existsSync, readFileSync, readdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { parseManifests } from '../../src/provider/file/manifests.js';
import { buildSnapshot } from '../../src/provider/file/snapshot.js';
import { translate } from '../../src/translate/translate.js';

/** test/golden/translate, from dist/test/translate where this file runs. */
const DIR = fileURLToPath(new URL('../../../test/golden/translate/', import.meta.url));
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

/** The translation of one case as YAML: keys sorted, no anchors, no folded lines. */
function render(name: string): string {
  const file = `test/golden/translate/${name}.in.yaml`;
  const parsed = parseManifests(readFileSync(join(DIR, `${name}.in.yaml`), 'utf8'), file);
  expect(parsed.errors, 'YAML errors').to.deep.equal([]);
  const { snapshot, problems } = buildSnapshot(parsed.manifests, { defaultNamespace: 'default' });
  expect(problems, 'snapshot problems').to.deep.equal([]);
  const { proxies, statuses } = translate(snapshot, { trustDomain: 'cluster.local' });
  // Every proxy shares one outbound list: print it once, and check that it is indeed shared.
  const outbound = proxies[0]?.outbound ?? [];
  expect(
    proxies.every((p) => p.outbound === outbound),
    'outbound shared by every proxy',
  ).to.equal(true);
  const yaml = stringify(
    { outbound, proxies: proxies.map(({ outbound: _shared, ...proxy }) => proxy), statuses },
    { sortMapEntries: true, aliasDuplicateObjects: false, lineWidth: 0 },
  );
  return `# Generated from ${name}.in.yaml by test/translate/golden.test.ts; UPDATE_GOLDEN=1 rewrites it.\n${yaml}`;
}

describe('translate golden files (test/golden/translate)', () => {
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
