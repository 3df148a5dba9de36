/**
 * Saves (UPDATE_OPENAPI=1) or checks the OpenAPI v3 schemas that test/chart/openapi.test.ts validates every rendered
 * object against: the real API server's /openapi/v3 documents, cut down to the components the chart's kinds reach.
 */
import { expect } from 'chai';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../../scripts/k8s/chart.js';
import type { SavedOpenApi } from '../chart/openapi.js';
import { cluster } from './harness/shared.js';

/** Group-versions whose kinds the chart renders. */
const GROUP_VERSIONS = [
  'api/v1',
  'apis/apps/v1',
  'apis/batch/v1',
  'apis/policy/v1',
  'apis/rbac.authorization.k8s.io/v1',
  'apis/networking.k8s.io/v1',
  'apis/admissionregistration.k8s.io/v1',
  'apis/apiextensions.k8s.io/v1',
];

/** Kinds the chart and deploy/aspen.yaml render (group/version/Kind). */
const KINDS = [
  '/v1/Namespace',
  '/v1/ServiceAccount',
  '/v1/Service',
  '/v1/ConfigMap',
  'apps/v1/Deployment',
  'batch/v1/Job',
  'policy/v1/PodDisruptionBudget',
  'rbac.authorization.k8s.io/v1/ClusterRole',
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding',
  'rbac.authorization.k8s.io/v1/Role',
  'rbac.authorization.k8s.io/v1/RoleBinding',
  'networking.k8s.io/v1/NetworkPolicy',
  'admissionregistration.k8s.io/v1/MutatingWebhookConfiguration',
  'admissionregistration.k8s.io/v1/ValidatingWebhookConfiguration',
  'apiextensions.k8s.io/v1/CustomResourceDefinition',
];

type Schema = Record<string, unknown>;

/** Every `#/components/schemas/<name>` a schema refers to. */
function refs(schema: unknown, out: Set<string>): void {
  if (Array.isArray(schema)) schema.forEach((s) => refs(s, out));
  else if (schema !== null && typeof schema === 'object') {
    for (const [k, v] of Object.entries(schema as Schema)) {
      if (k === '$ref' && typeof v === 'string') out.add(v.replace('#/components/schemas/', ''));
      else refs(v, out);
    }
  }
}

/** The saved form: the kinds' components and everything they reach. */
async function fetchSaved(): Promise<SavedOpenApi> {
  const c = cluster();
  const all: Record<string, Schema> = {};
  for (const gv of GROUP_VERSIONS) {
    const doc = JSON.parse(await c.kubectlOk(['get', '--raw', `/openapi/v3/${gv}`])) as {
      components: { schemas: Record<string, Schema> };
    };
    Object.assign(all, doc.components.schemas);
  }
  const kinds: Record<string, string> = {};
  for (const [name, s] of Object.entries(all)) {
    const tags = (s['x-kubernetes-group-version-kind'] ?? []) as {
      group: string;
      version: string;
      kind: string;
    }[];
    for (const t of tags) {
      const key = `${t.group}/${t.version}/${t.kind}`;
      if (KINDS.includes(key)) kinds[key] = name;
    }
  }
  const keep = new Set(Object.values(kinds));
  for (let size = 0; size !== keep.size;) {
    size = keep.size;
    for (const name of [...keep]) refs(all[name], keep);
  }
  const schemas = Object.fromEntries([...keep].sort().map((n) => [n, all[n] ?? {}]));
  const version = JSON.parse(await c.kubectlOk(['get', '--raw', '/version'])) as { gitVersion: string };
  return { version: version.gitVersion, kinds: Object.fromEntries(Object.entries(kinds).sort()), schemas };
}

describe('e2e: saved OpenAPI schemas of the API server', function () {
  this.timeout(120_000);

  it('match the pinned API server (UPDATE_OPENAPI=1 rewrites them)', async function () {
    if (cluster().external && process.env.UPDATE_OPENAPI !== '1') this.skip();
    const saved = await fetchSaved();
    expect(Object.keys(saved.kinds)).to.have.length(KINDS.length);
    const dir = path.join(repoRoot(), 'test', 'fixtures', 'chart', 'openapi');
    const file = path.join(dir, 'kubernetes.json');
    const text = `${JSON.stringify(saved, null, 1)}\n`;
    if (process.env.UPDATE_OPENAPI === '1') {
      mkdirSync(dir, { recursive: true });
      writeFileSync(file, text);
    }
    expect(existsSync(file), `${file} is missing: run UPDATE_OPENAPI=1 npm run test:e2e`).to.equal(true);
    expect(JSON.parse(readFileSync(file, 'utf8'))).to.deep.equal(saved);
  });
});
