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
  // The whole mesh's outbound services are printed once; a proxy whose egress is scoped (aspen.dev/egress) lists the
  // keys of the services it receives.
  const mesh = new Map(proxies.flatMap((p) => p.outbound).map((s) => [s.key, s]));
  const outbound = [...mesh.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const printed = proxies.map(({ outbound: own, ...proxy }) =>
    own.length === outbound.length ? proxy : { ...proxy, outbound: own.map((s) => s.key) },
  );
  const yaml = stringify(
    { outbound, proxies: printed, statuses },
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
