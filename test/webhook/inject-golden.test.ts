/**
 * Golden tests of the injector: every test/golden/inject/<case>.in.yaml (`settings` overrides, `namespace`
 * {name, labels}, `pod`) is injected and compared with <case>.out.yaml: the answer, the RFC 6902 patch, the patched
 * pod and, parsed, the Envoy bootstrap (shown once; the annotation holding it reads `<bootstrap below>`).
 * `UPDATE_GOLDEN=1` rewrites outputs and deletes orphans. Every case also checks that the patch applied to the input
 * gives the patched pod, and that injecting the patched pod again changes nothing.
 */
import { expect } from 'chai';
import { existsSync, readFileSync, readdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import { BOOTSTRAP } from '../../src/webhook/inject/annotations.js';
import { injectPod } from '../../src/webhook/inject/inject.js';
import { applyPatch } from '../../src/webhook/inject/json-patch.js';
import type { InjectionSettings } from '../../src/webhook/inject/settings.js';
import type { InjectionRequest, Pod } from '../../src/webhook/inject/types.js';
import { testSettings } from './fixtures.js';

const DIR = fileURLToPath(new URL('../../../test/golden/inject/', import.meta.url));
const UPDATE = process.env.UPDATE_GOLDEN === '1';
const PLACEHOLDER = '<bootstrap below>';

interface GoldenInput {
  settings?: Partial<InjectionSettings>;
  namespace: { name: string; labels?: Record<string, string> };
  pod: Pod;
}

function cases(): string[] {
  return readdirSync(DIR)
    .filter((f) => f.endsWith('.in.yaml'))
    .map((f) => f.slice(0, -'.in.yaml'.length))
    .sort();
}

function load(name: string): { request: InjectionRequest; settings: InjectionSettings } {
  const input = parse(readFileSync(join(DIR, `${name}.in.yaml`), 'utf8')) as GoldenInput;
  return {
    settings: testSettings(input.settings),
    request: {
      pod: input.pod,
      namespace: input.namespace.name,
      namespaceLabels: input.namespace.labels ?? {},
    },
  };
}

/** Replaces the bootstrap annotation everywhere in a JSON value by the placeholder. */
function hideBootstrap(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(hideBootstrap);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k, k === BOOTSTRAP ? PLACEHOLDER : hideBootstrap(v)]),
  );
}

function render(name: string): string {
  const { request, settings } = load(name);
  const result = injectPod(request, settings);
  const output: Record<string, unknown> = { ...result };
  if (result.allowed) {
    const bootstrap = result.pod.metadata?.annotations?.[BOOTSTRAP];
    output.pod = hideBootstrap(result.pod);
    output.patch = hideBootstrap(result.patch);
    if (bootstrap !== undefined) output.bootstrap = JSON.parse(bootstrap) as unknown;
  }
  return stringify(output, { sortMapEntries: true, aliasDuplicateObjects: false, lineWidth: 0 });
}

describe('injection golden files (test/golden/inject)', () => {
  it('has cases', () => {
    expect(cases().length).to.be.greaterThan(10);
  });

  if (UPDATE) {
    it('deletes orphaned outputs', () => {
      const inputs = new Set(cases());
      for (const f of readdirSync(DIR).filter((f) => f.endsWith('.out.yaml'))) {
        if (!inputs.has(f.slice(0, -'.out.yaml'.length))) unlinkSync(join(DIR, f));
      }
    });
  }

  for (const name of cases()) {
    it(name, () => {
      const out = join(DIR, `${name}.out.yaml`);
      const actual = render(name);
      if (UPDATE) writeFileSync(out, actual);
      expect(existsSync(out), `${out} missing: run with UPDATE_GOLDEN=1`).to.equal(true);
      expect(actual).to.equal(readFileSync(out, 'utf8'));
    });

    it(`${name}: the patch gives the pod, and injecting again changes nothing`, () => {
      const { request, settings } = load(name);
      const result = injectPod(request, settings);
      if (!result.allowed) return;
      expect(applyPatch(request.pod, result.patch)).to.deep.equal(result.pod);
      const again = injectPod({ ...request, pod: result.pod }, settings);
      expect(again.allowed).to.equal(true);
      if (again.allowed) expect(again.patch).to.deep.equal([]);
    });
  }
});
