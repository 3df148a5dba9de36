import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { AUDIT_RULES, runAuditRules } from '../../src/audit/registry.js';
import { SEVERITIES } from '../../src/audit/severity.js';
import { acceptedStatus, auditInput, proxy, securePolicy } from './fixtures.js';

/** docs/audit-rules.md, found from the compiled test (dist/test/audit/) or the source (test/audit/). */
function rulesDoc(): string {
  for (const rel of ['../../../docs/audit-rules.md', '../../docs/audit-rules.md']) {
    try {
      return readFileSync(new URL(rel, import.meta.url), 'utf8');
    } catch {
      // try the next location
    }
  }
  throw new Error('docs/audit-rules.md not found');
}

describe('audit: rule table', () => {
  it('gives every rule a unique stable id, a severity and a title', () => {
    const ids = AUDIT_RULES.map((r) => r.id);
    expect(new Set(ids).size).to.equal(ids.length);
    for (const rule of AUDIT_RULES) {
      expect(rule.id).to.match(/^ASP\d{3}$/);
      expect(SEVERITIES).to.include(rule.severity);
      expect(rule.title).to.not.equal('');
    }
  });

  it('agrees with docs/audit-rules.md: same ids, same severities, same order', () => {
    const rows = [...rulesDoc().matchAll(/^\|\s*(ASP\d{3})\s*\|\s*(\w+)\s*\|/gm)].map(
      (m) => `${m[1]} ${m[2]}`,
    );
    expect(rows).to.deep.equal(AUDIT_RULES.map((r) => `${r.id} ${r.severity}`));
  });

  it('finds nothing in a policy that follows every recommendation, on a workload it selects', () => {
    const input = auditInput({
      policies: [securePolicy('orders')],
      statuses: [acceptedStatus('orders')],
      proxies: [proxy('orders', { policies: ['shop/orders'] })],
    });
    expect(runAuditRules(input)).to.deep.equal([]);
  });

  it('finds nothing in an empty input', () => {
    expect(runAuditRules(auditInput())).to.deep.equal([]);
  });
});
