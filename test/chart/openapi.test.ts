/**
 * Every object the chart renders (default and non-default values, CRD included) is valid against the Kubernetes
 * OpenAPI v3 schemas of the pinned kube-apiserver (saved test data, see test/e2e/openapi.e2e.ts), with unknown
 * fields refused. Objects of third-party CRDs (cert-manager, Prometheus Operator) are the only ones not covered.
 */
import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { helmTemplate, repoRoot } from '../../scripts/k8s/chart.js';
import { OpenApiValidator } from './openapi.js';

const fixtures = path.join(repoRoot(), 'test', 'fixtures', 'chart');
const THIRD_PARTY = [
  'cert-manager.io/v1/Certificate',
  'cert-manager.io/v1/Issuer',
  'monitoring.coreos.com/v1/ServiceMonitor',
];

describe('chart: rendered objects against the API server’s OpenAPI schemas', function () {
  this.timeout(120_000);
  const validator = OpenApiValidator.fromFile(path.join(fixtures, 'openapi', 'kubernetes.json'));
  const cases: [string, Record<string, unknown> | undefined][] = [
    ['default values', undefined],
    ...readdirSync(path.join(fixtures, 'values'))
      .filter((f) => f.endsWith('.yaml'))
      .sort()
      .map((f): [string, Record<string, unknown>] => [
        f,
        parse(readFileSync(path.join(fixtures, 'values', f), 'utf8')) as Record<string, unknown>,
      ]),
  ];

  for (const [name, values] of cases) {
    it(`validates every object rendered with ${name}`, async () => {
      const objects = await helmTemplate({ values, includeCrds: true });
      const problems: string[] = [];
      for (const o of objects) {
        const id = `${o.apiVersion}/${o.kind}`;
        if (!validator.knows(o.apiVersion, o.kind)) {
          expect(THIRD_PARTY, `no schema for ${id}`).to.include(id);
          continue;
        }
        problems.push(...validator.validate(o).map((p) => `${o.kind}/${o.metadata.name} ${p}`));
      }
      expect(problems).to.deep.equal([]);
    });
  }

  it('refuses a misspelt field and a wrong type (the check is not vacuous)', () => {
    const bad = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'x' },
      spec: {
        replicas: 'two',
        selector: { matchLabels: { a: 'b' } },
        template: {
          metadata: { labels: { a: 'b' } },
          spec: {
            containers: [{ name: 'c', image: 'i', imagePullPolicy: 'IfNotPresent', securityContxt: {} }],
          },
        },
      },
    };
    const problems = validator.validate(bad);
    expect(problems.join('\n')).to.include('/spec/replicas').and.include('securityContxt');
  });
});
