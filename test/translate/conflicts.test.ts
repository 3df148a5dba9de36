import { expect } from 'chai';
import { formatPath } from '../../src/translate/problem.js';
import { snapshot } from '../fixtures/snapshot.js';
import { conditionOf, portOf, run, statusOf } from '../fixtures/translate.js';
import type { TranslateResult } from '../../src/translate/translate.js';

/** `shop/orders` on 8080, policies `shop/a` and `shop/b` selecting it with these specs. */
function twoPolicies(a: Record<string, unknown>, b: Record<string, unknown>): TranslateResult {
  return run(
    snapshot()
      .workload('shop', 'orders', { app: 'orders' }, [8080])
      .policy('shop', 'a', { selector: {}, ...a })
      .policy('shop', 'b', { selector: {}, ...b })
      .secret('shop', 'keys', { a: 'key-a', b: 'key-b' }),
  );
}

function problems(result: TranslateResult, policy: string): string[] {
  return statusOf(result, policy).problems.map((p) => `${formatPath(p.path)}: ${p.message}`);
}

const client = (name: string): Record<string, unknown> => ({ name, secretRef: { name: 'keys', key: name } });

describe('translate: conflicts between policies on one port', () => {
  it('differing default actions: both report it, and Deny applies', () => {
    const result = twoPolicies(
      { authorization: { defaultAction: 'Allow' } },
      { authorization: { defaultAction: 'Deny' } },
    );
    expect(problems(result, 'shop/a')).to.deep.equal([
      'spec.authorization.defaultAction: Allow conflicts with Deny in shop/b; the stricter setting applies (Deny)',
    ]);
    expect(problems(result, 'shop/b')).to.deep.equal([
      'spec.authorization.defaultAction: Deny conflicts with Allow in shop/a; the stricter setting applies (Deny)',
    ]);
    expect(conditionOf(result, 'shop/a', 'Accepted')).to.deep.include({
      status: 'False',
      reason: 'Conflicted',
    });
    expect(conditionOf(result, 'shop/b', 'Accepted')).to.deep.include({
      status: 'False',
      reason: 'Conflicted',
    });
    expect(portOf(result, 'shop/orders', 8080).enforce.authorization.defaultAction).to.equal('Deny');
  });

  it('API keys read from different places: the first policy by name wins, both report it', () => {
    const result = twoPolicies(
      { apiKeys: { from: { header: 'x-api-key' }, clients: [client('a')] } },
      { apiKeys: { from: { query: 'api_key' }, clients: [client('b')] } },
    );
    const message = 'the setting of the first policy by name applies (header x-api-key of shop/a)';
    expect(problems(result, 'shop/a')).to.deep.equal([
      `spec.apiKeys.from: header x-api-key conflicts with query api_key in shop/b; ${message}`,
    ]);
    expect(problems(result, 'shop/b')).to.deep.equal([
      `spec.apiKeys.from: query api_key conflicts with header x-api-key in shop/a; ${message}`,
    ]);
    const keys = portOf(result, 'shop/orders', 8080).enforce.apiKeys;
    expect(keys?.source).to.deep.equal({ header: 'x-api-key' });
    expect(keys?.clients.map((c) => c.id)).to.deep.equal(['shop/a/a', 'shop/b/b']);
  });

  it('the same API-key header written in another case is no conflict', () => {
    const result = twoPolicies(
      { apiKeys: { from: { header: 'X-Api-Key' }, clients: [client('a')] } },
      { apiKeys: { from: { header: 'x-api-key' }, clients: [client('b')] } },
    );
    expect(problems(result, 'shop/a')).to.deep.equal([]);
  });

  it('allowed methods with nothing in common: nothing is allowed, both report it', () => {
    const result = twoPolicies(
      { requestValidation: { allowedMethods: ['GET'] } },
      { requestValidation: { allowedMethods: ['POST', 'PUT'] } },
    );
    expect(problems(result, 'shop/a')).to.deep.equal([
      'spec.requestValidation.allowedMethods: [GET] conflicts with [POST, PUT] in shop/b; the stricter setting applies (nothing is allowed)',
    ]);
    expect(problems(result, 'shop/b')).to.have.length(1);
    expect(portOf(result, 'shop/orders', 8080).enforce.requestValidation.allowedMethods).to.deep.equal([]);
  });

  it('allowed content types with nothing in common: nothing is allowed, both report it', () => {
    const result = twoPolicies(
      { requestValidation: { allowedContentTypes: ['application/json'] } },
      { requestValidation: { allowedContentTypes: ['application/xml'] } },
    );
    expect(conditionOf(result, 'shop/a', 'Accepted').message).to.equal(
      'spec.requestValidation.allowedContentTypes: [application/json] conflicts with [application/xml] in shop/b; the stricter setting applies (nothing is allowed)',
    );
    expect(conditionOf(result, 'shop/b', 'Accepted').reason).to.equal('Conflicted');
    expect(portOf(result, 'shop/orders', 8080).enforce.requestValidation.allowedContentTypes).to.deep.equal(
      [],
    );
  });

  it('reports several conflicts in the problems and the first one in the condition', () => {
    const result = twoPolicies(
      { authorization: { defaultAction: 'Allow' }, requestValidation: { allowedMethods: ['GET'] } },
      { requestValidation: { allowedMethods: ['POST'] } },
    );
    expect(problems(result, 'shop/a')).to.have.length(2);
    expect(conditionOf(result, 'shop/a', 'Accepted').message).to.match(
      /^spec\.authorization\.defaultAction: .* \(and 1 more\)$/,
    );
  });

  it('reports a conflict once even when it happens on several ports and workloads', () => {
    const result = run(
      snapshot()
        .workload('shop', 'orders', {}, [8080, 9090])
        .workload('shop', 'cart', {}, [8080])
        .policy('shop', 'a', { selector: {}, authorization: { defaultAction: 'Allow' } })
        .policy('shop', 'b', { selector: {} }),
    );
    expect(problems(result, 'shop/a')).to.have.length(1);
  });

  it('does not let policies that cover different ports conflict', () => {
    const result = run(
      snapshot()
        .workload('shop', 'orders', {}, [8080, 9090])
        .policy('shop', 'a', { selector: {}, ports: [8080], authorization: { defaultAction: 'Allow' } })
        .policy('shop', 'b', { selector: {}, ports: [9090] }),
    );
    expect(problems(result, 'shop/a')).to.deep.equal([]);
    expect(conditionOf(result, 'shop/a', 'Accepted').status).to.equal('True');
  });

  it('does not let an Audit policy conflict with an Enforce one', () => {
    const result = twoPolicies({ authorization: { defaultAction: 'Allow' } }, { mode: 'Audit' });
    expect(problems(result, 'shop/a')).to.deep.equal([]);
  });

  it('lets Audit policies conflict among themselves', () => {
    const result = twoPolicies(
      { mode: 'Audit', authorization: { defaultAction: 'Allow' } },
      { mode: 'Audit' },
    );
    expect(conditionOf(result, 'shop/a', 'Accepted').reason).to.equal('Conflicted');
  });
});
