import { expect } from 'chai';
import type { Finding } from '../../src/audit/finding.js';
import { formatFindingsJson } from '../../src/audit/format-json.js';
import { formatFindingsTable } from '../../src/audit/format-table.js';
import { runAuditRules } from '../../src/audit/registry.js';
import { auditInput, policy, proxy } from './fixtures.js';

const findings: Finding[] = runAuditRules(
  auditInput({
    policies: [policy('orders', { authorization: { defaultAction: 'Allow' }, mode: 'Audit' })],
    proxies: [proxy('legacy')],
  }),
);

describe('audit: JSON output', () => {
  it('prints findings and a summary counting every severity, most severe first', () => {
    const doc = JSON.parse(formatFindingsJson(findings)) as {
      findings: Finding[];
      summary: Record<string, number>;
    };
    expect(Object.keys(doc)).to.deep.equal(['findings', 'summary']);
    expect(Object.entries(doc.summary)).to.deep.equal([
      ['critical', 0],
      ['high', 1],
      ['medium', 2],
      ['low', 1],
      ['info', 0],
    ]);
    expect(doc.findings.map((f) => f.ruleId)).to.deep.equal(['ASP007', 'ASP009', 'ASP013', 'ASP001']);
  });

  it('writes each finding with keys in a fixed order and omits an absent field', () => {
    const doc = JSON.parse(formatFindingsJson(findings)) as { findings: Record<string, unknown>[] };
    expect(Object.keys(doc.findings[0] ?? {})).to.deep.equal([
      'ruleId',
      'severity',
      'object',
      'field',
      'message',
      'hint',
    ]);
    const workload = doc.findings.find((f) => f.ruleId === 'ASP001');
    expect(Object.keys(workload ?? {})).to.deep.equal(['ruleId', 'severity', 'object', 'message', 'hint']);
    expect(workload?.object).to.deep.equal({ kind: 'Deployment', namespace: 'shop', name: 'legacy' });
  });

  it('is stable: same findings, same bytes, whatever the key order they were built with', () => {
    const f = findings[0] as Finding;
    const shuffled: Finding = {
      hint: f.hint,
      message: f.message,
      field: f.field,
      object: { name: f.object.name, namespace: f.object.namespace, kind: f.object.kind },
      severity: f.severity,
      ruleId: f.ruleId,
    };
    expect(formatFindingsJson([shuffled])).to.equal(formatFindingsJson([f]));
    expect(formatFindingsJson(findings).endsWith('}\n')).to.equal(true);
  });

  it('prints an empty list and zero counts when there are no findings', () => {
    expect(JSON.parse(formatFindingsJson([]))).to.deep.equal({
      findings: [],
      summary: { critical: 0, high: 0, medium: 0, low: 0, info: 0 },
    });
  });
});

describe('audit: table output', () => {
  const table = formatFindingsTable(findings);
  const lines = table.trimEnd().split('\n');

  it('has a header with aligned columns', () => {
    expect(lines[0]).to.match(/^SEVERITY +RULE +OBJECT +FIELD +MESSAGE$/);
    const header = lines[0] ?? '';
    const row = lines[1] ?? '';
    expect(row.indexOf('ASP007')).to.equal(header.indexOf('RULE'));
    expect(row.indexOf('ApiSecurityPolicy shop/orders')).to.equal(header.indexOf('OBJECT'));
    expect(row.indexOf('spec.authorization.defaultAction')).to.equal(header.indexOf('FIELD'));
    expect(row.indexOf('authorization.defaultAction is Allow')).to.equal(header.indexOf('MESSAGE'));
  });

  it('puts each finding hint on the line after it', () => {
    findings.forEach((f, i) => {
      expect(lines[1 + 2 * i])
        .to.contain(f.ruleId)
        .and.contain(f.message);
      expect(lines[2 + 2 * i]).to.equal(`${' '.repeat(10)}hint: ${f.hint}`);
    });
  });

  it('shows "-" for a finding without a field and ends with a summary line', () => {
    expect(lines.find((l) => l.includes('ASP001'))).to.match(
      /Deployment shop\/legacy +- +no ApiSecurityPolicy/,
    );
    expect(lines.at(-1)).to.equal('4 findings: 0 critical, 1 high, 2 medium, 1 low, 0 info');
  });

  it('says "no findings" when there are none', () => {
    expect(formatFindingsTable([])).to.equal('no findings\n');
  });
});
