import { expect } from 'chai';
import { formatPath } from '../../src/translate/problem.js';

describe('formatPath', () => {
  it('renders properties dotted and list indexes in brackets', () => {
    expect(formatPath(['spec', 'authorization', 'rules', 1, 'from', 'principals', 0])).to.equal(
      'spec.authorization.rules[1].from.principals[0]',
    );
  });
  it('renders an empty path as empty', () => {
    expect(formatPath([])).to.equal('');
  });
});
