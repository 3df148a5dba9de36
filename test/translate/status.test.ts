import { expect } from 'chai';
import { translate } from '../../src/translate/translate.js';
import { snapshot } from '../fixtures/snapshot.js';
import { run, statusOf } from '../fixtures/translate.js';

describe('translate: policy status', () => {
  it('a valid policy is Accepted, its references resolve, and it has no warnings', () => {
    const result = run(
      snapshot()
        .workload('shop', 'orders', {}, [8080])
        .policy('shop', 'p', { selector: {} }, { generation: 7 }),
    );
    expect(statusOf(result, 'shop/p')).to.deep.equal({
      namespace: 'shop',
      name: 'p',
      observedGeneration: 7,
      workloads: 1,
      conditions: [
        { type: 'Accepted', status: 'True', reason: 'Accepted', message: 'The policy is valid' },
        { type: 'ResolvedRefs', status: 'True', reason: 'ResolvedRefs', message: 'Every reference resolves' },
        { type: 'Warnings', status: 'False', reason: 'NoWarnings', message: 'No warnings' },
      ],
      problems: [],
    });
  });

  it('warns that OpenAPI validation is accepted but not enforced yet, naming the field', () => {
    const result = run(
      snapshot()
        .policy('shop', 'p', {
          selector: {},
          requestValidation: { openapi: { configMapRef: { name: 'spec', key: 'openapi.yaml' } } },
        })
        .configMap('shop', 'spec', { 'openapi.yaml': 'openapi: 3.1.0' }),
    );
    const warning = statusOf(result, 'shop/p').conditions.find((c) => c.type === 'Warnings');
    expect(warning).to.deep.include({ status: 'True', reason: 'NotYetEnforced' });
    expect(warning?.message).to.match(/^spec\.requestValidation\.openapi: /);
    expect(statusOf(result, 'shop/p').problems).to.deep.equal([]);
  });

  it('counts no workloads for a policy selecting none', () => {
    const result = run(
      snapshot()
        .workload('shop', 'orders', { app: 'orders' }, [8080])
        .policy('shop', 'p', { selector: { matchLabels: { app: 'cart' } } }),
    );
    expect(statusOf(result, 'shop/p').workloads).to.equal(0);
  });

  it('is the same for the same input, whatever the input order', () => {
    const a = snapshot()
      .workload('shop', 'b', {}, [8080])
      .workload('shop', 'a', {}, [8080])
      .policy('shop', 'y', { selector: {}, authorization: { defaultAction: 'Allow' } })
      .policy('shop', 'x', { selector: {} })
      .build();
    const b = { ...a, workloads: [...a.workloads].reverse(), policies: [...a.policies].reverse() };
    const options = { trustDomain: 'cluster.local' };
    expect(JSON.stringify(translate(b, options))).to.equal(JSON.stringify(translate(a, options)));
  });
});
