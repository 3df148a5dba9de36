/**
 * Golden tests of the IR → proxyless gRPC translation: every test/golden/xds-proxyless/<case>.in.yaml (a ProxyIR of a
 * proxyless workload, as YAML) is translated and compared with <case>.<type>.yaml, one file per non-empty xDS type:
 * each resource's canonical JSON, sorted by name. Every resource must also pass aspen's own checker and Envoy's own
 * validators (the proto rules hold for gRPC's resources too; what gRPC accepts beyond them is proven by the
 * end-to-end tests in test/proxyless/e2e.test.ts).
 * `UPDATE_GOLDEN=1` rewrites the outputs and deletes outputs without an input (or whose type became empty).
 */
import { expect } from 'chai';
import { existsSync, readFileSync, readdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import type { ProxyIR } from '../../src/ir/index.js';
import { checkResources } from '../../src/xds/check/check.js';
import { canonicalResources } from '../../src/xds/translate/canonical.js';
import { TypeUrl } from '../../src/xds/translate/resources.js';
import { translateProxyless } from '../../src/xds/translate/proxyless/translate.js';
import { buildEnvoyValidate, validateWithEnvoy } from '../tools/envoy-validate.js';

/** test/golden/xds-proxyless, from dist/test/proxyless where this file runs. */
const DIR = fileURLToPath(new URL('../../../test/golden/xds-proxyless/', import.meta.url));
const UPDATE = process.env.UPDATE_GOLDEN === '1';

/** The golden file suffix of each xDS type. */
const KIND: Record<string, string> = {
  [TypeUrl.Listener]: 'listeners',
  [TypeUrl.RouteConfiguration]: 'routes',
  [TypeUrl.Cluster]: 'clusters',
  [TypeUrl.ClusterLoadAssignment]: 'endpoints',
  [TypeUrl.Secret]: 'secrets',
};
const OUTPUT = /^(.*)\.(listeners|routes|clusters|endpoints|secrets)\.yaml$/;

function cases(): string[] {
  return readdirSync(DIR)
    .filter((f) => f.endsWith('.in.yaml'))
    .map((f) => f.slice(0, -'.in.yaml'.length))
    .sort();
}

/** Output files on disk, by case. */
function outputsOnDisk(): Map<string, string[]> {
  const byCase = new Map<string, string[]>();
  for (const file of readdirSync(DIR).sort()) {
    const m = OUTPUT.exec(file);
    if (m?.[1] !== undefined) byCase.set(m[1], [...(byCase.get(m[1]) ?? []), file]);
  }
  return byCase;
}

function orphans(): string[] {
  const inputs = new Set(cases());
  return [...outputsOnDisk()].filter(([name]) => !inputs.has(name)).flatMap(([, files]) => files);
}

/** The case's IR. */
function loadCase(name: string): ProxyIR {
  return parse(readFileSync(join(DIR, `${name}.in.yaml`), 'utf8')) as ProxyIR;
}

/** The canonical JSON of every resource of a case, by type URL (non-empty types only). */
function translateCase(name: string): { typeUrl: string; resources: object[] }[] {
  return canonicalResources(translateProxyless(loadCase(name))) as {
    typeUrl: string;
    resources: object[];
  }[];
}

/** The expected golden files of a case: file name → content. */
function render(name: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const group of translateCase(name)) {
    const file = `${name}.${KIND[group.typeUrl] ?? 'unknown'}.yaml`;
    const yaml = stringify(group.resources, { aliasDuplicateObjects: false, lineWidth: 0 });
    files.set(
      file,
      `# Generated from ${name}.in.yaml by test/proxyless/golden.test.ts; UPDATE_GOLDEN=1 rewrites it.\n${yaml}`,
    );
  }
  return files;
}

describe('proxyless xds golden files (test/golden/xds-proxyless)', () => {
  if (UPDATE) for (const orphan of orphans()) unlinkSync(join(DIR, orphan));

  it('has an input for every output', () => {
    expect(orphans()).to.deep.equal([]);
  });

  for (const name of cases()) {
    it(name, () => {
      const expected = render(name);
      const stale = (outputsOnDisk().get(name) ?? []).filter((f) => !expected.has(f));
      if (UPDATE) {
        for (const file of stale) unlinkSync(join(DIR, file));
        for (const [file, content] of expected) writeFileSync(join(DIR, file), content);
      } else {
        expect(stale, 'outputs of types that are now empty; run with UPDATE_GOLDEN=1').to.deep.equal([]);
      }
      for (const [file, content] of expected) {
        expect(existsSync(join(DIR, file)), `${file} is missing; run with UPDATE_GOLDEN=1`).to.equal(true);
        expect(content, file).to.equal(readFileSync(join(DIR, file), 'utf8'));
      }
    });
  }
});

describe("proxyless xds golden outputs pass aspen's own checker (rules and references)", () => {
  for (const name of cases()) {
    it(name, () => {
      const problems = checkResources(translateProxyless(loadCase(name)), { sdsSecrets: [] });
      expect(problems).to.deep.equal([]);
    });
  }
});

describe("proxyless xds golden outputs pass Envoy's own validators (go-control-plane PGV)", function () {
  before(async function () {
    this.timeout(600_000); // the first build compiles the Envoy Go packages
    await buildEnvoyValidate();
  });

  for (const name of cases()) {
    it(name, async function () {
      this.timeout(60_000);
      const resources = translateCase(name).flatMap((g) =>
        g.resources.map((r) => ({ '@type': g.typeUrl, ...r })),
      );
      const results = await validateWithEnvoy(resources);
      const failures = results
        .filter((r) => !r.ok)
        .map((r) => `${r.name ?? r.index}: ${(r.errors ?? []).join('; ')}`);
      expect(failures).to.deep.equal([]);
      // gRPC reads SAN matchers only from the deprecated match_subject_alt_names (not match_typed_subject_alt_names).
      const warnings = results.flatMap((r) => r.warnings ?? []);
      expect(warnings.filter((w) => !w.endsWith('MatchSubjectAltNames: deprecated field'))).to.deep.equal([]);
    });
  }
});
