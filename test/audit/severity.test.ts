import { expect } from 'chai';
import { atOrAbove, compareFindings, type Finding } from '../../src/audit/finding.js';
import { runAuditRules } from '../../src/audit/registry.js';
import { parseSeverity, SEVERITIES } from '../../src/audit/severity.js';
import { auditInput, policy, proxy } from './fixtures.js';

function finding(ruleId: string, severity: Finding['severity'], name: string, namespace = 'shop'): Finding {
  return {
    ruleId,
    severity,
    object: { kind: 'ApiSecurityPolicy', namespace, name },
    message: 'm',
    hint: 'h',
  };
}

describe('audit: severities', () => {
  it('parses severity names case-insensitively and refuses others', () => {
    expect(parseSeverity('high')).to.equal('high');
    expect(parseSeverity(' CRITICAL ')).to.equal('critical');
    expect(parseSeverity('Info')).to.equal('info');
    expect(parseSeverity('severe')).to.equal(undefined);
    expect(parseSeverity('')).to.equal(undefined);
  });

  it('orders severities from info to critical', () => {
    expect(SEVERITIES).to.deep.equal(['info', 'low', 'medium', 'high', 'critical']);
  });

  it('atOrAbove keeps findings at or above the threshold, in order', () => {
    const all = [
      finding('A', 'info', 'a'),
      finding('B', 'high', 'b'),
      finding('C', 'medium', 'c'),
      finding('D', 'critical', 'd'),
    ];
    expect(atOrAbove(all, 'high').map((f) => f.ruleId)).to.deep.equal(['B', 'D']);
    expect(atOrAbove(all, 'medium').map((f) => f.ruleId)).to.deep.equal(['B', 'C', 'D']);
    expect(atOrAbove(all, 'info')).to.have.length(4);
    expect(atOrAbove(all, 'critical').map((f) => f.ruleId)).to.deep.equal(['D']);
    expect(atOrAbove([finding('A', 'medium', 'a')], 'high')).to.deep.equal([]);
  });

  it('compareFindings sorts by severity (most severe first), then object, then rule id', () => {
    const list = [
      finding('ASP002', 'low', 'b'),
      finding('ASP001', 'low', 'b'),
      finding('ASP009', 'low', 'a'),
      finding('ASP001', 'low', 'a', 'other'),
      finding('ASP005', 'high', 'z'),
    ];
    const sorted = [...list]
      .sort(compareFindings)
      .map((f) => `${f.severity} ${f.object.namespace}/${f.object.name} ${f.ruleId}`);
    expect(sorted).to.deep.equal([
      'high shop/z ASP005',
      'low other/a ASP001',
      'low shop/a ASP009',
      'low shop/b ASP001',
      'low shop/b ASP002',
    ]);
  });

  it('runAuditRules returns findings sorted whatever the rule table order', () => {
    const input = auditInput({
      policies: [
        policy('b', { mode: 'Audit', mtls: { mode: 'DISABLE' } }),
        policy('a', {
          mtls: { mode: 'PERMISSIVE' },
          requestValidation: { openapi: { configMapRef: { name: 'o', key: 'k' } } },
        }),
      ],
      proxies: [proxy('web', { namespace: 'front' })],
    });
    const got = runAuditRules(input).map(
      (f) => `${f.severity} ${f.object.namespace}/${f.object.name} ${f.ruleId}`,
    );
    expect(got).to.deep.equal([
      'high shop/b ASP006',
      'medium shop/a ASP005',
      'medium shop/b ASP013',
      'low front/web ASP001',
      'info shop/a ASP014',
    ]);
  });
});
