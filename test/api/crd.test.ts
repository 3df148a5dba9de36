import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { CRD_FILE, policyCrd, policyCrdYaml } from '../../src/api/crd.js';
import { REFERENCE_FILE, apiReference } from '../../src/api/reference.js';
import type { ApiSecurityPolicySpec } from '../../src/api/v1alpha1/types.js';
import { validatePolicy } from '../../src/translate/validate/index.js';

type Node = Record<string, unknown>;

/** Calls `visit` on every schema node with its dotted path. */
function walk(node: Node, path: string, visit: (node: Node, path: string) => void): void {
  visit(node, path);
  for (const [key, child] of Object.entries((node.properties ?? {}) as Record<string, Node>)) {
    walk(child, `${path}.${key}`, visit);
  }
  if (node.items) walk(node.items as Node, `${path}[]`, visit);
  if (typeof node.additionalProperties === 'object')
    walk(node.additionalProperties as Node, `${path}{}`, visit);
}

function specSchema(): Node {
  const crd = policyCrd() as { spec: { versions: { schema: { openAPIV3Schema: Node } }[] } };
  return crd.spec.versions[0]?.schema.openAPIV3Schema as Node;
}

describe('the ApiSecurityPolicy CRD', () => {
  it('is committed up to date (run `npm run gen:crd` after changing src/api)', () => {
    expect(readFileSync(CRD_FILE, 'utf8')).to.equal(policyCrdYaml());
  });

  it('has its reference committed up to date (run `npm run gen:crd`)', () => {
    const reference = readFileSync(REFERENCE_FILE, 'utf8');
    expect(reference).to.equal(apiReference());
    expect(reference).to.include('| `authorization.rules[].from.principals` |');
  });

  it('names the API as other tools expect', () => {
    const crd = parse(readFileSync(CRD_FILE, 'utf8')) as { metadata: { name: string }; spec: Node };
    expect(crd.metadata.name).to.equal('apisecuritypolicies.aspen.dev');
    expect(crd.spec.names).to.include({ kind: 'ApiSecurityPolicy', plural: 'apisecuritypolicies' });
    expect((crd.spec.names as Node).shortNames).to.deep.equal(['asp']);
    const version = (crd.spec.versions as Node[])[0] as Node;
    expect(version.name).to.equal('v1alpha1');
    expect(version.subresources).to.deep.equal({ status: {} });
    const columns = (version.additionalPrinterColumns as { name: string }[]).map((c) => c.name);
    expect(columns).to.deep.equal(['Mode', 'Accepted', 'Programmed', 'Workloads', 'Age']);
  });

  it('describes every field, so `kubectl explain` teaches the API', () => {
    const missing: string[] = [];
    walk(specSchema(), '', (node, path) => {
      // Scalar list items and map values are described by their list or map.
      // metadata may carry nothing but its type: the API server refuses a description there.
      const described =
        path === '' ||
        path === '.metadata' ||
        path.endsWith('{}') ||
        (path.endsWith('[]') && node.type !== 'object');
      if (!described && typeof node.description !== 'string') missing.push(path);
    });
    expect(missing).to.deep.equal([]);
  });

  it('bounds every list and string so CEL rules stay within the API server cost budget', () => {
    const unbounded: string[] = [];
    const isUnbounded = (node: Node, path: string): boolean => {
      if (node.type === 'array') return typeof node.maxItems !== 'number';
      if (node.type === 'string') {
        return (
          typeof node.maxLength !== 'number' &&
          !Array.isArray(node.enum) &&
          !['.apiVersion', '.kind'].includes(path)
        );
      }
      return typeof node.additionalProperties === 'object' && node.maxProperties === undefined;
    };
    walk(specSchema(), '', (node, path) => {
      if (isUnbounded(node, path)) unbounded.push(path);
    });
    expect(unbounded).to.deep.equal([]);
  });

  it('is a structural schema: no additionalProperties beside properties, a type on every node', () => {
    const bad: string[] = [];
    walk(specSchema(), '', (node, path) => {
      if (node.properties !== undefined && node.additionalProperties !== undefined) bad.push(`${path}: both`);
      if (typeof node.type !== 'string') bad.push(`${path}: no type`);
      for (const key of ['anyOf', 'oneOf', 'allOf', '$ref', 'patternProperties']) {
        if (key in node) bad.push(`${path}: ${key}`);
      }
    });
    expect(bad).to.deep.equal([]);
  });

  it('derives the TypeScript types from the same schema the validator checks', () => {
    // Compiles only while the types match the schema's shape; validates only while the schema accepts it.
    const spec: ApiSecurityPolicySpec = {
      selector: { matchLabels: { app: 'orders' } },
      mode: 'Audit',
      mtls: { mode: 'PERMISSIVE' },
      rateLimits: [{ name: 'l', requests: 5, per: '1s', scope: 'Global', key: { remoteAddress: {} } }],
    };
    const object = {
      apiVersion: 'aspen.dev/v1alpha1',
      kind: 'ApiSecurityPolicy',
      metadata: { name: 'p' },
      spec,
    };
    expect(validatePolicy(object).problems).to.deep.equal([]);
  });
});
