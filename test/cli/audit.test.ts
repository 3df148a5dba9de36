import { expect } from 'chai';
import { runCli } from './run.js';

interface FindingsDoc {
  findings: { ruleId: string; severity: string; object: { name: string }; field?: string }[];
  summary: Record<string, number>;
}

describe('aspen audit', () => {
  it('reports the examples’ findings as JSON when stdout is not a terminal, exit 0 below --fail-on', async () => {
    const run = await runCli(['audit', 'examples/', '--fail-on', 'high']);
    const doc = JSON.parse(run.stdout) as FindingsDoc;
    expect(doc.findings.map((f) => `${f.ruleId} ${f.severity} ${f.object.name} ${f.field}`)).to.deep.equal([
      'ASP005 medium frontend spec.mtls.mode',
      'ASP013 medium frontend spec.mode',
      'ASP014 info orders-api spec.requestValidation.openapi',
    ]);
    expect(doc.summary).to.deep.equal({ critical: 0, high: 0, medium: 2, low: 0, info: 1 });
    expect(run.code).to.equal(0);
  });

  it('exits 1 when a finding is at or above --fail-on', async () => {
    expect((await runCli(['audit', 'examples/', '--fail-on', 'medium'])).code).to.equal(1);
  });

  it('prints a table with fix hints on a terminal', async () => {
    const run = await runCli(['audit', 'examples/'], { tty: true });
    expect(run.stdout).to.match(/^SEVERITY\s+RULE\s+OBJECT\s+FIELD\s+MESSAGE/m);
    expect(run.stdout).to.include('set spec.mtls.mode to STRICT');
    expect((await runCli(['audit', 'examples/', '-o', 'json'], { tty: true })).stdout).to.match(/^\{/);
  });

  it('fails closed on input it could not read: reports it and exits 1', async () => {
    const run = await runCli(['audit', 'test/fixtures/broken/'], {});
    expect(run.stderr).to.include('test/fixtures/broken/syntax.yaml:6:');
    expect(run.stderr).to.include('the audit is incomplete');
    expect(run.code).to.equal(1);
  });

  it('reports invalid policies as high findings: their workloads fail closed', async () => {
    const stdin = [
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata: {name: orders, namespace: shop}',
      'spec: {template: {metadata: {labels: {app: orders}}, spec: {containers: [{name: a, ports: [{containerPort: 8080}]}]}}}',
      '---',
      'apiVersion: aspen.dev/v1alpha1',
      'kind: ApiSecurityPolicy',
      'metadata: {name: broken, namespace: shop}',
      'spec: {selector: {matchLabels: {app: orders}}, mtls: {mode: strict}}',
      '',
    ].join('\n');
    const run = await runCli(['audit', '-'], { stdin });
    const doc = JSON.parse(run.stdout) as FindingsDoc;
    expect(doc.findings[0]).to.include({ ruleId: 'ASP003', severity: 'high' });
    expect(run.code).to.equal(1);
  });

  it('refuses an unknown severity or format with a usage error (exit 2)', async () => {
    expect((await runCli(['audit', 'examples/', '--fail-on', 'severe'])).code).to.equal(2);
    expect((await runCli(['audit', 'examples/', '-o', 'xml'])).code).to.equal(2);
  });
});
